"""The arguments of ``credtrace loan``, ``pool`` and ``policy`` (and of the bank routes), checked before any
chain is opened.

Each is taken as text and parsed here, so a bad one ends as one ``error:`` line naming what was wrong
(click's own int parsing would pass ``2**300`` on to the ABI encoder, and print a usage box for ``x``).
Amounts are yuan text parsed by :mod:`ledger.money` into integer fen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import ApiError

if TYPE_CHECKING:
    from ledger.chain import KeyStore
    from ledger.types import Address, LoanStatus

UINT8, UINT16, UINT32, UINT256 = 2**8 - 1, 2**16 - 1, 2**32 - 1, 2**256 - 1
JSON_INT = 2**53 - 1
"""The largest integer every JSON reader keeps exactly (RFC 7493 §2.2): the API's bound on ids and fen."""
DAY = 86_400
MUNICIPAL_NAME = "municipal"


def whole(text: str, what: str, low: int = 0, high: int = UINT256) -> int:
    """``text`` as a whole number in [low, high]; ASCII digits only (``int`` would take ``١٢`` and ``1_0``)."""
    digits = text.strip()
    if not (0 < len(digits) <= 80 and digits.isascii() and digits.isdigit()) or not low <= int(digits) <= high:
        upto = f"from {low} to {high}" if high < UINT256 else f"of {low} or more"
        raise ApiError(f"{what} is a whole number {upto}, not {text[:40]!r}")
    return int(digits)


def application_id(text: str) -> int:
    return whole(text, "an application id", 1)


def days(text: str, what: str = "days past due") -> int:
    return whole(text, what, 0, UINT32)


def fen(text: str, what: str = "an amount") -> int:
    """Yuan text (``2,500.50``) as fen, more than zero."""
    from ledger.money import fen as parse

    amount = parse(text)
    if amount == 0:
        raise ApiError(f"{what} must be more than zero")
    return amount


def district(text: str) -> int:
    """A county-level GB/T 2260 code: six digits, a province from 11, and a county part (the last two
    digits) that is not 00, which would name a province or a prefecture, not a district."""
    code = text.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit() and code >= "110000" and code[4:] != "00"):
        raise ApiError(f"a district is a six-digit GB/T 2260 county code such as 500103, not {text[:40]!r}")
    return int(code)


def pool(text: str) -> int:
    """``municipal`` (pool 0) or a district's code."""
    from ledger.contracts.loan_ledger import MUNICIPAL

    if text.strip().lower() == MUNICIPAL_NAME:
        return MUNICIPAL
    try:
        return district(text)
    except ApiError:
        raise ApiError(f"a pool is {MUNICIPAL_NAME!r} or a district's six-digit code such as 500103, "
                       f"not {text[:40]!r}") from None


def status(name: str) -> LoanStatus:
    from ledger.types import LoanStatus

    try:
        found = LoanStatus[name.strip().upper()]
    except KeyError:
        found = LoanStatus.NONE
    if found is LoanStatus.NONE:
        known = ", ".join(s.name for s in LoanStatus if s is not LoanStatus.NONE)
        raise ApiError(f"unknown status {name[:40]!r}; one of {known}")
    return found


def account(text: str, keys: KeyStore) -> Address:
    """A key name from the home (``bank-a``) or a 0x address."""
    from eth_utils.address import is_address, to_checksum_address

    if text.startswith("0x"):
        if not is_address(text):
            raise ApiError(f"{text[:50]!r} is not an account address")
        return to_checksum_address(text)
    return keys.load(text).address


def one_subject(enterprise: str | None, subject: str | None) -> tuple[str | None, str | None]:
    """(credit code, pseudonym): exactly one of ``--enterprise`` and ``--subject``, validated."""
    from ledger.contracts.model_registry import id_bytes
    from ledger.identifiers.uscc import validate

    if (enterprise is None) == (subject is None):
        raise ApiError("name the enterprise: --enterprise CREDIT_CODE or --subject PSEUDONYM, one of the two")
    if subject is not None:
        return None, id_bytes(subject, "a subject (the enterprise's pseudonym)").hex()
    return validate(str(enterprise)), None
