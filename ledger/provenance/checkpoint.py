"""Checkpoints: the log's signed tree heads, as C2SP signed notes the transparency ecosystem reads.

The note text is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the origin, the tree
size in decimal, the RFC 9162 root in standard base64, each on its own line, and no extension
lines. It is signed as a C2SP signed note (https://c2sp.org/signed-note): Ed25519 over the note
text, on a line ``— <key name> base64(key ID || signature)``, where the key name is the origin and
the key ID is ``SHA-256(key name || 0x0A || 0x01 || public key)[:4]``. Anyone holding the
operator's verifier key string (``<name>+<key ID hex>+base64(0x01 || public key)``, the format of
Go's ``golang.org/x/mod/sumdb/note``) checks a checkpoint with any note verifier::

    credtrace/provenance/1337/0x5fbdb2315678afecb367f032d93f642f64180aa3
    20
    a9Tq0Vbm5xWtRxFpNvv4Lz0Cw2mW5o7bP2tH8x0lIQk=

    — credtrace/provenance/1337/0x5fbdb2315678afecb367f032d93f642f64180aa3 q3mYvB…

The origin names the log by the ``ProvenanceLog`` contract that anchors it (chain id and address),
so two deployments never share one. The time a head was sealed is kept beside it, unsigned.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ledger.errors import VerificationError
from ledger.provenance.merkle import HASH_SIZE

ED25519 = b"\x01"  # the signed-note signature type of Ed25519
_SIGNATURE_LINE = re.compile(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: ``tree_size`` leaves with ``root``, in the log named ``origin``."""

    origin: str
    tree_size: int
    root: bytes

    def text(self) -> str:
        """The note text: three lines, each ending in a newline (tlog-checkpoint §"Note text")."""
        return f"{self.origin}\n{self.tree_size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, key: SigningKey) -> bytes:
        """The log's Ed25519 signature of the note text."""
        return bytes(key.sign(self.text().encode()).signature)

    def verify(self, signature: bytes, public_key: bytes) -> None:
        """Raise VerificationError unless ``signature`` is the key holder's over this checkpoint."""
        try:
            VerifyKey(public_key).verify(self.text().encode(), signature)
        except (BadSignatureError, ValueError) as exc:
            raise VerificationError(f"checkpoint signature for size {self.tree_size} does not verify: {exc}") from exc

    def note(self, signature: bytes, public_key: bytes) -> str:
        """The signed note: the text, a blank line, the log's signature line (signed-note §"Format")."""
        line = base64.b64encode(key_id(self.origin, public_key) + signature).decode()
        return f"{self.text()}\n\u2014 {self.origin} {line}\n"

    @classmethod
    def stated_in(cls, note: str) -> Checkpoint:
        """The checkpoint a signed note states, its signatures not yet checked (:func:`open_note` does)."""
        text, blank, _ = note.rpartition("\n\n")
        return cls.parse(text + "\n" if blank else note)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """The checkpoint a note text states; VerificationError naming the line that is wrong."""
        lines = text.split("\n")
        if len(lines) != 4 or lines[3] != "":
            raise VerificationError("a checkpoint is exactly three lines: origin, tree size, root")
        origin, size, root = lines[:3]
        if not origin or re.search(r"[\s+]", origin):
            raise VerificationError(f"checkpoint origin {origin!r} is empty or has a space or '+'")
        if not re.fullmatch(r"0|[1-9][0-9]*", size):
            raise VerificationError(f"checkpoint tree size {size!r} is not a decimal without leading zeros")
        return cls(origin, int(size), _root(root))


def _root(text: str) -> bytes:
    try:
        root = base64.b64decode(text, validate=True)
    except ValueError:
        raise VerificationError(f"checkpoint root {text!r} is not base64") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != text:
        raise VerificationError(f"checkpoint root {text!r} is not a {HASH_SIZE}-byte hash in standard base64")
    return root


def key_id(name: str, public_key: bytes) -> bytes:
    """signed-note §"Ed25519 signatures": SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """``<name>+<key ID hex>+base64(0x01 || public key)``: what a note verifier is configured with."""
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + public_key).decode()}"


def open_note(note: str, name: str, public_key: bytes) -> Checkpoint:
    """The checkpoint of a signed note carrying a valid signature by (``name``, ``public_key``).

    Signatures by other keys (witnesses' cosignatures) are skipped, as signed-note requires; one
    by this key that fails to verify, or none at all, is a VerificationError.
    """
    _, blank, signatures = note.rpartition("\n\n")
    if not blank or not signatures.endswith("\n"):
        raise VerificationError("not a signed note: no blank line before the signature lines")
    wanted = key_id(name, public_key)
    for line in signatures[:-1].split("\n"):
        found = _SIGNATURE_LINE.fullmatch(line)
        if found is None:
            raise VerificationError(f"not a signature line: {line!r}")
        try:
            blob = base64.b64decode(found[2], validate=True)
        except ValueError:
            raise VerificationError(f"signature of {found[1]} is not base64") from None
        if found[1] == name and blob[:4] == wanted:
            checkpoint = Checkpoint.stated_in(note)
            checkpoint.verify(blob[4:], public_key)
            return checkpoint
    raise VerificationError(f"the note carries no signature by {name}+{wanted.hex()}")


COSIGNATURE = b"\x04"  # the signed-note signature type of a timestamped Ed25519 cosignature


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """c2sp.org/tlog-cosignature: SHA-256(name || "\\n" || 0x04 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE + public_key).digest()[:4]


def _cosigned_message(checkpoint: Checkpoint, timestamp: int) -> bytes:
    """tlog-cosignature §"Ed25519 signed message": a header line, a time line, the note text."""
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint.text()}".encode()


def cosign(checkpoint: Checkpoint, name: str, key: SigningKey, timestamp: int) -> str:
    """A witness's signature line: base64(key ID || u64 big-endian timestamp || Ed25519 signature)."""
    signature = key.sign(_cosigned_message(checkpoint, timestamp)).signature
    blob = cosignature_key_id(name, bytes(key.verify_key)) + timestamp.to_bytes(8, "big") + signature
    return f"\u2014 {name} {base64.b64encode(blob).decode()}\n"


def cosigned_at(note: str, checkpoint: Checkpoint, name: str, public_key: bytes) -> int | None:
    """The time ``name`` cosigned ``checkpoint`` in ``note``, or None if it did not (or its line is bad)."""
    wanted = cosignature_key_id(name, public_key)
    for found in _SIGNATURE_LINE.finditer(note):
        try:
            blob = base64.b64decode(found[2], validate=True)
        except ValueError:
            continue
        if found[1] != name or blob[:4] != wanted or len(blob) != 76:
            continue
        timestamp = int.from_bytes(blob[4:12], "big")
        try:
            VerifyKey(public_key).verify(_cosigned_message(checkpoint, timestamp), blob[12:])
        except BadSignatureError:
            return None
        return timestamp
    return None
