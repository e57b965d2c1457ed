"""Secrets of the data catalogue, kept outside the database (seeds R7).

- :class:`Vault` encrypts every stored record with XSalsa20-Poly1305 (libsodium SecretBox
  through PyNaCl): a stolen database dump is ciphertext.
- :class:`Pseudonymiser` turns a credit code into the enterprise's pseudonym,
  HMAC-SHA256(key, code) as 64 hex (RFC 2104): stable, so records join, and not invertible
  without the key, so the chain and the provenance log never see a raw code.

Both keys are 32 random bytes in files under the home folder (mode 0600); the ones
``credtrace init`` generates are dev-only. Production keys come from a KMS or HSM. Opening never
creates a key: a lost key is restored from a backup (``credtrace keys backup`` / ``restore``), and
``fingerprints`` refuses a key the database was not written with.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from ledger.catalogue.errors import CatalogueError, KeyMissing
from ledger.errors import LedgerError

KEY_SIZE = 32
CATALOGUE_KEY = "catalogue.key"
PSEUDONYM_KEY = "pseudonym.key"
KEY_FILES = (CATALOGUE_KEY, PSEUDONYM_KEY)
"""The files under HOME/secrets, both created by ``credtrace init`` and nothing else."""


def load_key(path: Path) -> bytes:
    """The 32-byte key in ``path``. A missing key is never replaced here: a new one would orphan
    every pseudonym and encrypted record written with the old."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise KeyMissing(f"{path} is missing. Catalogue keys are created only by `credtrace init`, for a new home; "
                         "restore this one from a backup with `credtrace keys restore ARCHIVE`: a new key would "
                         "orphan every pseudonym and encrypted record") from None
    key = bytes.fromhex(text.strip()) if _is_hex(text.strip()) else b""
    if len(key) != KEY_SIZE:
        raise CatalogueError(f"{path} does not hold a {KEY_SIZE}-byte hex key")
    return key


def _is_hex(text: str) -> bool:
    return len(text) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in text)


def create_key(path: Path) -> bool:
    """Write a new random key to ``path`` (mode 0600, its folder 0700) unless one is there; True if
    written. Only ``credtrace init`` calls this. The key is written whole to a temporary file and
    linked into place, so a crash leaves no half-written key and an existing one is never replaced."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_bytes(KEY_SIZE).hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return _link(Path(temporary), path)
    finally:
        os.unlink(temporary)


def _link(temporary: Path, path: Path) -> bool:
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    return True


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
