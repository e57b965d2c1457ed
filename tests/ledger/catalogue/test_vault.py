"""Records sealed to their place (issue 12): a ciphertext opens only in the row it was sealed for,
and records sealed before binding (a bare SecretBox) still open."""

from __future__ import annotations

import secrets

import pytest
from nacl.secret import SecretBox

from ledger.catalogue.errors import RecordTampered
from ledger.catalogue.vault import BOUND, FileKeyProvider, KeyProvider, Vault, place

KEY = bytes(range(32))
BODY = b'{"credit_code":"91500000MA5U0000XX","period":"2023-01"}'


def vault() -> Vault:
    keys: KeyProvider = FileKeyProvider(KEY)
    return Vault(keys)


def test_a_sealed_record_opens_only_in_its_own_row() -> None:
    sealed = vault().seal(BODY, "tax", "ab" * 32, "2023-01")
    assert sealed[:1] == BOUND and len(sealed) == 1 + 24 + len(BODY) + 16
    assert vault().open(sealed, "tax", "ab" * 32, "2023-01") == BODY
    for elsewhere in (("courts", "ab" * 32, "2023-01"), ("tax", "cd" * 32, "2023-01"), ("tax", "ab" * 32, "2023-02")):
        with pytest.raises(RecordTampered, match="does not open under its row"):
            vault().open(sealed, *elsewhere)
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(RecordTampered):
        vault().open(altered, "tax", "ab" * 32, "2023-01")
    with pytest.raises(RecordTampered):
        Vault(FileKeyProvider(bytes(32))).open(sealed, "tax", "ab" * 32, "2023-01")


def test_places_never_share_bytes() -> None:
    assert place("tax", "a", "b\x00c") != place("tax", "a\x00b", "c")
    assert place("tax", "ab", "c") != place("tax", "a", "bc")


@pytest.mark.parametrize("first", [b"\x00", BOUND, b"\xff"])
def test_a_record_sealed_before_binding_still_opens(first: bytes) -> None:
    """A legacy box whose random nonce happens to begin with the bound marker opens too."""
    nonce = first + secrets.token_bytes(23)
    legacy = bytes(SecretBox(KEY).encrypt(BODY, nonce))
    assert vault().open(legacy, "tax", "ab" * 32, "2023-01") == BODY
