"""Signed tree heads: the operator's Ed25519 signature over ``(tree_size, root, timestamp)``.

RFC 9162 §4.10 has the log sign its tree heads; we sign the same three facts, encoded as
RFC 8785 canonical JSON rather than TLS structures so any JSON tool can rebuild the bytes:
``{"log":"credtrace/provenance/v1","root":"<hex>","timestamp_ms":N,"tree_size":N}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ledger.errors import VerificationError

LOG_ID = "credtrace/provenance/v1"


@dataclass(frozen=True)
class TreeHead:
    tree_size: int
    root: bytes
    timestamp_ms: int

    def signed_bytes(self) -> bytes:
        return rfc8785.dumps({
            "log": LOG_ID,
            "root": self.root.hex(),
            "timestamp_ms": self.timestamp_ms,
            "tree_size": self.tree_size,
        })

    def sign(self, key: SigningKey) -> bytes:
        return bytes(key.sign(self.signed_bytes()).signature)

    def verify(self, signature: bytes, public_key: bytes) -> None:
        """Raise VerificationError unless ``signature`` is the key holder's over this head."""
        try:
            VerifyKey(public_key).verify(self.signed_bytes(), signature)
        except (BadSignatureError, ValueError) as exc:
            raise VerificationError(
                f"tree head signature for size {self.tree_size} does not verify: {exc}"
            ) from exc
