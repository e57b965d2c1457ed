"""公民身份号码 — the 18-character citizen identity number of GB 11643-1999 (居民身份证).

    positions 1-6    address code: the GB/T 2260 division where the number was first issued
    positions 7-14   date of birth, YYYYMMDD
    positions 15-17  sequence: odd for men, even for women
    position  18     check character, ISO 7064 MOD 11-2: '0'-'9' or 'X'

Personal data: the access gate masks it (seeds R6), and no message here repeats any part of a number.
"""

from __future__ import annotations

from datetime import date
from typing import NewType

import numpy as np

from ledger.identifiers.errors import InvalidIdNumber

IdNumber = NewType("IdNumber", str)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999 (ISO 7064 MOD 11-2): the weight of position i (from 1) is 2^(18-i) mod 11."""

CHECK = "10X98765432"
"""GB 11643-1999: the check character is CHECK[Σ ai·Wi mod 11], i.e. (12 - Σ mod 11) mod 11, 10 as 'X'."""


def check_character(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidIdNumber("the check needs 17 digits")
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate(number: str) -> IdNumber:
    """``number`` as an :data:`IdNumber`, or :class:`InvalidIdNumber` saying what is wrong."""
    if len(number) != 18:
        raise InvalidIdNumber(f"an identity number has 18 characters, this one has {len(number)}")
    first17 = number[:17]
    if not first17.isascii() or not first17.isdigit():
        raise InvalidIdNumber("the first 17 characters of an identity number are digits")
    if birth_date(first17) is None:
        raise InvalidIdNumber("positions 7-14 of the identity number are not a date of birth")
    if number[17] != check_character(first17):
        raise InvalidIdNumber("the check character of the identity number does not match")
    return IdNumber(number)


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except InvalidIdNumber:
        return False
    return True


def birth_date(number: str) -> date | None:
    """The date of birth in positions 7-14, or None if they are not a date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def generate(rng: np.random.Generator, district: str, born: date, female: bool) -> IdNumber:
    """A random valid number first issued in ``district`` (six GB/T 2260 digits)."""
    if len(district) != 6 or not district.isdigit():
        raise InvalidIdNumber(f"a district is a six-digit GB/T 2260 code, got {district!r}")
    sequence = 2 * int(rng.integers(1, 500)) + (0 if female else 1)
    first17 = f"{district}{born:%Y%m%d}{sequence:03d}"
    return IdNumber(first17 + check_character(first17))
