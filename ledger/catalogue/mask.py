"""Desensitisation (脱敏, seeds R6/R7): personal fields as each role may see them.

- ``MASK`` (banks): keep enough to recognise, hide the rest — 张** ; 500101********1234 ;
  138****5678 ; the address up to its district.
- ``TOKENISE`` (regulators, auditors): a per-recipient HMAC token, so equal values still join
  within one recipient's copy and a leaked copy names its recipient.
- ``DROP`` (the oracle): personal fields are not returned at all; scoring never needs them.

Which fields are personal is declared in the department schemas (``Field.personal``).

Every string the gate returns loses its bidirectional control characters first (the explicit
embeddings, overrides and isolates of Unicode UAX #9 §2.1-2.5, and its marks LRM, RLM, ALM): they are
invisible, so a masked name would keep them whole, and an override reorders what a bank's screen
shows after it ("Trojan Source", CVE-2021-42574). Stripped before masking and tokenising, the kept
characters and the star count are those of the visible text, and equal-looking values join.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import Enum

from ledger.catalogue.schema import SCHEMAS

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""ALM, LRM, RLM; LRE RLE PDF LRO RLO; LRI RLI FSI PDI (UAX #9 §2.1-2.6)."""


def visible(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)


class Treatment(Enum):
    MASK = "mask"
    TOKENISE = "tokenise"
    DROP = "drop"


def mask_value(field: str, value: str) -> str:
    """A recognisable but undisclosing form of one personal value."""
    value = visible(value)
    if not value:
        return value
    if "id_number" in field:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if "phone" in field:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if "address" in field:
        cut = max(value.find("区"), value.find("县"))
        return (value[: cut + 1] if cut >= 0 else value[:2]) + "…"
    return value[0] + "*" * max(2, len(value) - 1)  # a person's name


def personal_fields(department: str) -> frozenset[str]:
    return frozenset(f.name for f in SCHEMAS[department].fields if f.personal)


def desensitise(department: str, record: Mapping[str, object], treatment: Treatment,
                token: Callable[[str], str]) -> dict[str, object]:
    """``record`` with its personal fields treated, every string without bidi controls."""
    personal = personal_fields(department)
    out: dict[str, object] = {}
    for name, value in record.items():
        value = visible(value) if isinstance(value, str) else value
        if name not in personal or value is None:
            out[name] = value
        elif treatment is Treatment.MASK:
            out[name] = mask_value(name, str(value))
        elif treatment is Treatment.TOKENISE:
            out[name] = token(str(value))
    return out
