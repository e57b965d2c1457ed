"""Reasons on chain (``ledger.contracts.reason``): a documented code, or the SHA-256 of a text kept off chain."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from ledger.contracts.reason import CODES, ReasonTexts, decode, encode
from ledger.errors import LedgerError
from ledger.migrations import open_engine


@pytest.mark.parametrize(("text", "message"), [
    ("call 13912345678", "carries a mobile number"),
    ("id 11010519491231002X", "carries an identity number"),
    ("x" * 1001, "at most 1,000 characters"),
    ("  ", "it was empty"),
])
def test_a_reason_with_a_raw_identifier_too_long_or_empty_never_reaches_the_chain(text: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message) as refused:
        encode(text)
    assert "1391234" not in str(refused.value) and "110105" not in str(refused.value)


def test_a_code_is_readable_from_the_chain_alone() -> None:
    reason = encode("FALSE_DATA")
    assert reason.raw == b"FALSE_DATA".ljust(32, b"\0")
    assert decode(reason.raw).code == "FALSE_DATA" and "seeds R9" in str(decode(reason.raw))


def test_a_text_of_any_length_goes_on_chain_as_its_sha256_and_reads_back_from_the_texts_kept() -> None:
    text = "逾期还款并且多次拒绝配合监管调查"  # 48 bytes: too long for bytes32 as text
    reason = encode(text)
    assert reason.raw == hashlib.sha256(text.encode()).digest() and reason.code is None
    assert decode(reason.raw).text is None and "text not held here" in str(decode(reason.raw))
    assert str(decode(reason.raw, {reason.raw.hex(): text})).startswith(text)


def test_a_short_text_from_before_codes_still_reads_as_given() -> None:
    assert decode("迟报".encode().ljust(32, b"\0")).code == "迟报"


def test_texts_are_kept_once_and_never_changed(db_url: str) -> None:
    engine = open_engine(db_url)
    texts = ReasonTexts(engine)
    reason = encode("reporting fixed after review")
    for kept in (reason, reason, encode("LATE_REPORTING")):  # twice the same; a code needs no text
        with texts.keeping(kept):
            pass
    assert texts.texts([reason.raw.hex(), "0" * 64]) == {reason.raw.hex(): "reporting fixed after review"}
    with pytest.raises(sa.exc.DatabaseError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE reason_texts SET text = 'something else'"))
    assert set(CODES) >= {"FALSE_DATA", "LATE_REPORTING", "BANK_EXIT"}
    engine.dispose()
