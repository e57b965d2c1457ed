"""Secrets of the data catalogue, kept outside the database (seeds R7).

- :class:`Vault` encrypts every stored record with XSalsa20-Poly1305 (libsodium SecretBox
  through PyNaCl): a stolen database dump is ciphertext.
- :class:`Pseudonymiser` turns a credit code into the enterprise's pseudonym,
  HMAC-SHA256(key, code) as 64 hex (RFC 2104): stable, so records join, and not invertible
  without the key, so the chain and the provenance log never see a raw code.

Both keys are 32 random bytes in files under the home folder (mode 0600); the ones
``credtrace`` generates are dev-only. Production keys come from a KMS or HSM.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from ledger.errors import LedgerError

KEY_SIZE = 32


def load_or_create_key(path: Path) -> bytes:
    """The 32-byte key in ``path``, created (mode 0600) if the file does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_bytes(KEY_SIZE).hex() + "\n")
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != KEY_SIZE:
        raise LedgerError(f"{path} does not hold a {KEY_SIZE}-byte hex key")
    return key


@dataclass(frozen=True)
class Vault:
    key: bytes

    def seal(self, plaintext: bytes) -> bytes:
        return bytes(SecretBox(self.key).encrypt(plaintext))

    def open(self, sealed: bytes) -> bytes:
        try:
            return bytes(SecretBox(self.key).decrypt(sealed))
        except CryptoError as exc:
            raise LedgerError("a stored record does not decrypt: wrong key or tampered ciphertext") from exc


@dataclass(frozen=True)
class Pseudonymiser:
    key: bytes

    def __call__(self, credit_code: str) -> str:
        return hmac.new(self.key, credit_code.encode(), hashlib.sha256).hexdigest()

    def token(self, value: str, audience: str) -> str:
        """A per-audience token for a personal value: equal values join within one audience
        (one recipient), and a leaked copy's tokens say whose copy it was."""
        digest = hmac.new(self.key, f"{audience}\x00{value}".encode(), hashlib.sha256).hexdigest()
        return "tok_" + digest[:16]
