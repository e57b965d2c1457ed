"""统一社会信用代码 — the unified social credit code of GB 32100-2015.

Eighteen characters from a 31-character set (digits and capitals without I, O, S, V, Z)::

    position  1      registration-authority code (登记管理部门码): 9 = market supervision (工商), ...
    position  2      organisation-type code (机构类别码): under 9, 1 = enterprise, 2 = individual business
    positions 3-8    administrative-division code of the registering authority (GB/T 2260)
    positions 9-17   subject identifier: an organisation code of GB 11714-1997, itself ending in a check character
    position  18     check character over positions 1-17 (GB 32100-2015, MOD 31)

A code is valid when it has 18 characters from the set and its 18th character is the check
character of the first 17 (what DESIGN asks: "validate it"). Because 31 is prime and no weight
is 0 mod 31, changing any one character always changes the check. The embedded GB 11714 check
is reported separately by :func:`organisation_code_is_valid`, not enforced by :func:`validate`.
"""

from __future__ import annotations

from typing import NewType

import numpy as np

from ledger.identifiers.errors import InvalidCreditCode

CreditCode = NewType("CreditCode", str)

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015: the 31 characters a code may use; a character's value is its index."""
_VALUE = {c: i for i, c in enumerate(CHARSET)}

WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""GB 32100-2015: the weight of position i (from 1) is 3^(i-1) mod 31."""

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714-1997: weights of the eight body characters of an organisation code."""

ENTERPRISE = "91"
"""Registration authority 9 (market supervision) and type 1 (enterprise)."""

CHONGQING_DISTRICTS: dict[str, str] = {
    "500000": "重庆市",  # the municipal registration authority itself
    "500101": "万州区", "500102": "涪陵区", "500103": "渝中区", "500104": "大渡口区", "500105": "江北区",
    "500106": "沙坪坝区", "500107": "九龙坡区", "500108": "南岸区", "500109": "北碚区", "500110": "綦江区",
    "500111": "大足区", "500112": "渝北区", "500113": "巴南区", "500114": "黔江区", "500115": "长寿区",
    "500116": "江津区", "500117": "合川区", "500118": "永川区", "500119": "南川区", "500120": "璧山区",
    "500151": "铜梁区", "500152": "潼南区", "500153": "荣昌区", "500154": "开州区", "500155": "梁平区",
    "500156": "武隆区",
    "500229": "城口县", "500230": "丰都县", "500231": "垫江县", "500233": "忠县", "500235": "云阳县",
    "500236": "奉节县", "500237": "巫山县", "500238": "巫溪县", "500240": "石柱土家族自治县",
    "500241": "秀山土家族苗族自治县", "500242": "酉阳土家族苗族自治县", "500243": "彭水苗族土家族自治县",
}
"""GB/T 2260 administrative-division codes of Chongqing (2016 onwards) and their names."""


def check_character(first17: str) -> str:
    """The 18th character for ``first17`` (GB 32100-2015).

    C18 = 31 - (Σ Ci·Wi mod 31), where 31 becomes 0, mapped back through :data:`CHARSET`.
    """
    if len(first17) != 17:
        raise InvalidCreditCode(f"check character needs 17 characters, got {len(first17)}")
    _check_charset(first17)
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_character(body: str) -> str:
    """The 9th character of a GB 11714-1997 organisation code whose first eight are ``body``.

    Values: 0-9 are themselves, A-Z are 10-35. C9 = 11 - (Σ Ci·Wi mod 11); 10 is 'X', 11 is '0'.
    """
    if len(body) != 8 or not all(c.isdigit() or "A" <= c <= "Z" for c in body):
        raise InvalidCreditCode(f"an organisation-code body is 8 digits or capitals, got {body!r}")
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate(code: str) -> CreditCode:
    """``code`` as a :data:`CreditCode`, or :class:`InvalidCreditCode` saying what is wrong."""
    if len(code) != 18:
        raise InvalidCreditCode(f"a credit code has 18 characters, {code!r} has {len(code)}")
    _check_charset(code)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCreditCode(f"check character of {code!r} is {code[17]!r}, expected {expected!r}")
    return CreditCode(code)


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCreditCode:
        return False
    return True


def organisation_code_is_valid(code: CreditCode) -> bool:
    """Whether positions 9-17 of a valid code are a GB 11714 organisation code with a good check."""
    body = code[8:16]
    return all(c in _VALUE for c in body) and organisation_check_character(body) == code[16]


def generate(rng: np.random.Generator, district: str, kind: str = ENTERPRISE) -> CreditCode:
    """A random valid code registered in ``district`` (GB/T 2260, six digits).

    The subject identifier is a GB 11714 organisation code: half old-style (eight digits), half
    new-style ("MA" and six characters, as issued since 2015), followed by its check character.
    """
    if len(district) != 6 or not district.isdigit():
        raise InvalidCreditCode(f"a district is a six-digit GB/T 2260 code, got {district!r}")
    if len(kind) != 2:
        raise InvalidCreditCode(f"registration authority and type are two characters, got {kind!r}")
    _check_charset(kind)
    if rng.random() < 0.5:
        body = "".join(CHARSET[int(i)] for i in rng.integers(0, 10, 8))
    else:
        body = "MA" + "".join(CHARSET[int(i)] for i in rng.integers(0, len(CHARSET), 6))
    first17 = kind + district + body + organisation_check_character(body)
    return CreditCode(first17 + check_character(first17))


def _check_charset(text: str) -> None:
    for position, c in enumerate(text, start=1):
        if c not in _VALUE:
            raise InvalidCreditCode(f"character {c!r} at position {position} is not in the GB 32100 character set")
