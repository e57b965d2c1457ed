"""Raw identifiers are found in free text, and no event carrying one enters the log (issue 11)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import EventError
from ledger.identifiers import idcard, uscc
from ledger.identifiers.scan import identifiers_in, identifiers_in_bytes, luhn_valid
from ledger.provenance import Event

RNG = np.random.default_rng(11)
CODE = uscc.generate(RNG, "500105")
ID_NUMBER = idcard.generate(RNG, "500105", date(1984, 7, 9), female=True)
IDENTIFIERS = {
    "a unified social credit code": CODE,
    "an identity number": ID_NUMBER,
    "a mobile number": "13812345678",
    "a bank card number": "6222021234567890128",  # UnionPay-style, Luhn-valid
}
BASE = {"action": "DENIED", "actor": "0x" + "ab" * 20, "subject": "0" * 64, "assets": [], "consent": None,
        "purpose": "credit-assessment", "request_id": "req-1", "time": "2026-11-24T15:20:00Z", "reason": "refused"}


def test_the_bank_card_sample_is_luhn_valid_and_an_edit_is_not() -> None:
    assert luhn_valid(IDENTIFIERS["a bank card number"]) and not luhn_valid("6222021234567890129")


@pytest.mark.parametrize("field", ["purpose", "request_id", "reason"])
@pytest.mark.parametrize("kind", list(IDENTIFIERS))
def test_each_identifier_in_each_free_text_field_is_refused(field: str, kind: str) -> None:
    for text in (IDENTIFIERS[kind], f"查询 {IDENTIFIERS[kind]} 的记录", f"x:{IDENTIFIERS[kind]}."):
        with pytest.raises(EventError, match=f"{field} carries {kind}") as refused:
            Event.from_json(BASE | {field: text})
        assert IDENTIFIERS[kind] not in str(refused.value)


@pytest.mark.parametrize("text", [
    "+86 13812345678", "8613812345678", "企业91500105MA5U7C4X3N贷款".replace("91500105MA5U7C4X3N", CODE.lower()),
])
def test_written_other_ways_they_are_still_found(text: str) -> None:
    assert list(identifiers_in(text))


@pytest.mark.parametrize("text", [
    "credit-assessment", "cli-2026-11-30T09:15:00.123456+00:00", "req-1790000000000", "batch-" + "a1" * 32,
    "0x" + "12" * 32, "tax 2024-03: 1,234,567.89 CNY", "req-" + "1" * 18, "order 6222021234567890129",
])
def test_ordinary_text_passes(text: str) -> None:
    assert list(identifiers_in(text)) == []


@given(st.binary(min_size=32, max_size=32))
def test_hex_digests_never_look_like_identifiers(digest: bytes) -> None:
    assert list(identifiers_in(f"asset {digest.hex()} read")) == []


def _word(raw: bytes) -> bytes:
    return raw.ljust(32, b"\0")


@pytest.mark.parametrize("kind", list(IDENTIFIERS))
def test_chain_bytes_carrying_an_identifier_are_found_however_it_was_encoded(kind: str) -> None:
    value, selector, hash_ending_in_a_letter = IDENTIFIERS[kind], b"\x8c\x8b\xe9\x61", b"\x01" * 31 + b"a"
    calldata = selector + hash_ending_in_a_letter + _word(value.encode())  # a bytes32 argument
    assert list(identifiers_in_bytes(calldata, words_from=4)) == [kind]
    string_arg = (32).to_bytes(32, "big") + len(value).to_bytes(32, "big") + _word(f"查询{value}".encode())
    assert list(identifiers_in_bytes(string_arg)) == [kind]
    if value.isdigit():  # its digits written as hex digits
        assert list(identifiers_in_bytes(bytes.fromhex(value.rjust(64, "0")))) == [kind]


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=8), st.integers(0, 10**40 * 100))
def test_hashes_and_amounts_on_chain_pass(words: list[bytes], amount: int) -> None:
    """Any amount ``ledger.money`` accepts, in fen, as a ``uint256`` word: 13,812,345,678 fen included."""
    assert list(identifiers_in_bytes(b"".join(words) + amount.to_bytes(32, "big"))) == []
    assert list(identifiers_in_bytes((13_812_345_678).to_bytes(32, "big"))) == []


def test_a_hex_string_cut_at_a_word_boundary_is_not_a_run_of_its_own() -> None:
    """Seen on the demo chain: 18 hex digits of a JSON string's last word passed a credit code's check."""
    text = b'{"a":"' + b"7" * 26 + b'6ceafdfbfb6494a25d","b":1}'
    encoded = (32).to_bytes(32, "big") + len(text).to_bytes(32, "big") + text.ljust(64, b"\0")
    assert list(identifiers_in("6ceafdfbfb6494a25d")) == ["a unified social credit code"]
    assert list(identifiers_in_bytes(encoded)) == []


def test_the_hex_of_a_text_word_is_not_read() -> None:
    """Seen on the demo chain (CI): an anchored leaf's last word, the tail of a timestamp, is 9 bytes of
    text whose 18 hex digits pass a credit code's check."""
    tail = b'000007Z"}'
    assert list(identifiers_in(tail.hex())) == ["a unified social credit code"]
    text = b'{"kind":"ACCESS","time":"2026-12-01T10:08:44.'[-32:] + tail  # the tail alone in its word
    encoded = (32).to_bytes(32, "big") + len(text).to_bytes(32, "big") + text.ljust(64, b"\0")
    assert list(identifiers_in_bytes(encoded)) == []
