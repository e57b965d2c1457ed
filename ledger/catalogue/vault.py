"""Secrets of the data catalogue, kept outside the database (seeds R7).

- :class:`Vault` encrypts every stored record bound to its place in the catalogue — dataset,
  subject, period as associated data — so a stolen database dump is ciphertext, and a ciphertext
  moved or swapped to another row in SQL no longer opens.
- :class:`KeyProvider` is what holds the record key and uses it: :class:`FileKeyProvider`, the dev
  default, reads it from HOME/secrets into this process; a deployment that keeps the key in a
  separate process or a KMS implements the same two methods (README, "Who may do what").
- :class:`Pseudonymiser` turns a credit code into the enterprise's pseudonym,
  HMAC-SHA256(key, code) as 64 hex (RFC 2104): stable, so records join, and not invertible
  without the key, so the chain and the provenance log never see a raw code.

A sealed record is ``0x01 || nonce (24) || ciphertext || tag (16)``: XChaCha20-Poly1305-IETF, the
RFC 8439 AEAD with libsodium's 192-bit-nonce extension (draft-irtf-cfrg-xchacha), random nonces.
Records sealed before binding are a bare SecretBox (XSalsa20-Poly1305, ``nonce || box``); they still
open, unbound, and the gate holds every record, bound or not, to its row (credit code, period,
dataset, content hash) before it is shown. A legacy box whose random nonce starts with 0x01 fails the
bound open and is tried as a box; a bound ciphertext never opens as a box.

Both keys are 32 random bytes in files under the home folder (mode 0600); the ones
``credtrace init`` generates are dev-only. Opening never creates a key: a lost key is restored from
a backup (``credtrace keys backup`` / ``restore``), and ``fingerprints`` refuses a key the database
was not written with.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import rfc8785
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as aead_decrypt
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt as aead_encrypt
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from ledger.catalogue.errors import CatalogueError, KeyMissing, RecordTampered

KEY_SIZE = 32
CATALOGUE_KEY = "catalogue.key"
PSEUDONYM_KEY = "pseudonym.key"
KEY_FILES = (CATALOGUE_KEY, PSEUDONYM_KEY)
"""The files under HOME/secrets, both created by ``credtrace init`` and nothing else."""
BOUND = b"\x01"
"""The first byte of a ciphertext bound to its row (associated data); a legacy SecretBox has none."""
_NONCE = 24
_PLACE = b"credtrace/catalogue-record/v1\x00"


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


class KeyProvider(Protocol):
    """Holds the catalogue's record key and seals and opens with it; the rest of the platform never
    needs the key's bytes. ``associated`` is authenticated, not encrypted: the ciphertext opens only
    with the same bytes (RFC 8439 §2.8)."""

    def seal(self, plaintext: bytes, associated: bytes) -> bytes: ...

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        """The plaintext; :class:`RecordTampered` if ``sealed`` does not open with ``associated``."""
        ...


@dataclass(frozen=True)
class FileKeyProvider:
    """The dev default: the key read from a file (HOME/secrets/catalogue.key) into this process."""

    key: bytes

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return BOUND + nonce + aead_encrypt(plaintext, associated, nonce, self.key)

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        if sealed[:1] == BOUND:
            try:
                return aead_decrypt(sealed[1 + _NONCE:], associated, sealed[1 : 1 + _NONCE], self.key)
            except CryptoError:
                pass  # moved or altered, or a legacy box whose nonce begins with 0x01: try it as one
        try:
            return bytes(SecretBox(self.key).decrypt(sealed))
        except CryptoError:
            raise RecordTampered("a stored record does not open under its row: moved, swapped or altered in "
                                 "the database, or sealed with another key") from None


def place(dataset: str, subject: str, period: str) -> bytes:
    """A record's place in the catalogue, its associated data: RFC 8785 canonical JSON of the row's
    key after a domain tag, so no two places share bytes."""
    return _PLACE + rfc8785.dumps([dataset, subject, period])


@dataclass(frozen=True)
class Vault:
    """Records sealed to their place: a ciphertext copied to another row does not open there."""

    keys: KeyProvider

    def seal(self, plaintext: bytes, dataset: str, subject: str, period: str) -> bytes:
        return self.keys.seal(plaintext, place(dataset, subject, period))

    def open(self, sealed: bytes, dataset: str, subject: str, period: str) -> bytes:
        return self.keys.open(sealed, place(dataset, subject, period))


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
