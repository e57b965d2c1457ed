"""Checking a request's signature against the registry (the policy in :mod:`api.http.auth`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eth_utils.address import is_address, to_checksum_address
from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, InvalidSignature, VerifyResult
from http_message_signatures.algorithms import ED25519

from api.http.auth.message import Received
from api.http.auth.nonces import NonceStore
from api.http.problems import BAD_SIGNATURE, NOT_ACTIVE, REPLAYED, STALE, UNKNOWN_KEY, UNSIGNED, Problem
from ledger.contracts.participant_registry import Participant
from ledger.errors import ContractRevert
from ledger.types import Address, Role, Status

WINDOW = 300
"""Seconds a signature stays acceptable after its ``created``."""
REQUIRED = ("@method", "@target-uri", "content-digest")
Lookup = Callable[[Address], Participant]


@dataclass(frozen=True)
class Verified:
    participant: Participant
    nonce: str


class _Registered(HTTPSignatureKeyResolver):
    """The Ed25519 key the registry holds for the key id (an account), looked up once a request."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.found: Participant | None = None

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey:
        if not is_address(key_id):
            raise Problem(UNKNOWN_KEY, f"keyid {key_id[:64]!r} is not an account (0x and 40 hex digits)")
        try:
            self.found = self.lookup(to_checksum_address(key_id))
        except ContractRevert:
            raise Problem(UNKNOWN_KEY, f"{key_id} is not a registered participant") from None
        if self.found.role is Role.NONE:
            raise Problem(UNKNOWN_KEY, f"{key_id} is not a registered participant")
        return Ed25519PublicKey.from_public_bytes(self.found.signing_key)


def verify(message: Received, body: bytes, lookup: Lookup, nonces: NonceStore) -> Verified:
    """The participant who signed ``message``; a :class:`Problem` saying why not otherwise."""
    if "signature" not in message.headers or "signature-input" not in message.headers:
        raise Problem(UNSIGNED, "sign the request (RFC 9421): Signature-Input and Signature are missing")
    keys = _Registered(lookup)
    result = _checked(message, body, keys)
    if keys.found is None:
        raise Problem(UNKNOWN_KEY, "no key resolved")
    if keys.found.status is not Status.ACTIVE:
        raise Problem(NOT_ACTIVE, f"{keys.found.account} is {keys.found.status.name.lower()}, not active")
    nonce, created = result.parameters.get("nonce"), result.parameters.get("created")
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= 128:
        raise Problem(BAD_SIGNATURE, "the signature needs a nonce parameter of 8 to 128 characters")
    if not nonces.first_use(nonce, keys.found.account, int(str(created))):
        raise Problem(REPLAYED, "this nonce was used before: sign each request afresh")
    return Verified(keys.found, nonce)


def _checked(message: Received, body: bytes, keys: _Registered) -> VerifyResult:
    verifier = HTTPMessageVerifier(signature_algorithm=ED25519, key_resolver=keys)
    try:
        results = verifier.verify(message, max_age=datetime.timedelta(seconds=WINDOW), require_components=REQUIRED,
                                  body=body)
    except InvalidSignature as exc:
        if isinstance(exc.__cause__, Problem):  # the key look-up's own answer, wrapped by the library
            raise exc.__cause__ from None
        kind = STALE if _about_time(str(exc)) else BAD_SIGNATURE
        raise Problem(kind, f"signature refused: {exc}") from None
    return results[0]


def _about_time(reason: str) -> bool:
    return any(words in reason for words in ("age exceeds", "in the future", "in the past"))
