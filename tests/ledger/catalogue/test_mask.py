"""Desensitisation leaves no bidirectional control character in what the gate returns (issue 12):
invisible, it survived a mask whole, and an override reorders what a bank's screen shows."""

from __future__ import annotations

import pytest

from ledger.catalogue.mask import Treatment, desensitise, mask_value

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("control", CONTROLS)
def test_every_bidi_control_is_stripped_by_masking(control: str) -> None:
    assert mask_value("legal_rep_name", control + "张三") == "张**"
    assert mask_value("address", "重庆市渝中" + control + "区解放碑1号") == "重庆市渝中区…"
    assert mask_value("phone", "138" + control + "12345678") == "138****5678"


def test_no_string_the_gate_returns_carries_a_bidi_control() -> None:
    record = {"credit_code": "91500000MA5U0000XX", "period": "2023-01", "enterprise_name": "\u202e司公限有",
              "legal_rep_name": "\u2067李四\u2069", "phone": None}
    for treatment in Treatment:
        shown = desensitise("registration", record, treatment, lambda value: f"tok_{value}")
        assert not any(set(v) & set(CONTROLS) for v in shown.values() if isinstance(v, str)), treatment
    assert desensitise("registration", record, Treatment.TOKENISE, lambda v: f"tok_{v}")["legal_rep_name"] == "tok_李四"
