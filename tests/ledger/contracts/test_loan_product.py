"""A loan's product code goes on chain for good (``Applied.productId``): it is a code, never a raw
identifier (issue 14: no raw credit code or personal field in any transaction or event)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ledger.contracts.loan_ledger import product_code, product_id
from ledger.errors import LedgerError
from ledger.identifiers import idcard, uscc

RNG = np.random.default_rng(14)


def test_a_product_code_round_trips() -> None:
    assert product_code(product_id("SME-CREDIT-1Y")) == "SME-CREDIT-1Y"


@pytest.mark.parametrize(("code", "kind"), [
    (uscc.generate(RNG, "500105"), "a unified social credit code"),
    ("SME-" + idcard.generate(RNG, "500105", date(1984, 7, 9), female=True), "an identity number"),
    ("TEL 13812345678", "a mobile number"),
])
def test_a_product_code_carrying_an_identifier_is_refused_by_kind(code: str, kind: str) -> None:
    with pytest.raises(LedgerError, match=f"carries {kind}") as refused:
        product_id(code)
    assert code not in str(refused.value)
