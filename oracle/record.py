"""The signed decision record: what a bank receives for an application (issue 15).

Three standard layers, so off-the-shelf tools read it:

- the **decision** (:class:`Decision`): chain id, LoanLedger address, application, bank, the enterprise's
  pseudonym, model id, policy hash, feature-vector hash, score, PD, decision, limit, rate, reason codes
  with texts, the log indexes of the ``ACCESS`` events read and the checkpoint that covers them, and the
  decision time;
- an **in-toto Statement v1** (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md)
  whose subject is the application — named ``loan-application/<chain id>/<LoanLedger>/<id>``, with the
  SHA-256 of the application as the chain has it (:func:`application_digest`) — and whose predicate is
  the decision;
- a **DSSE envelope** (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md; the
  ``securesystemslib`` implementation) around the Statement, signed with each deciding oracle's Ed25519
  key, ``keyid`` = the oracle's account.

The **record hash** that ``decide`` puts on chain is the SHA-256 of the envelope's payload — the
Statement's RFC 8785 bytes — the digest in-toto tools use for an attestation. Every layer is canonical
JSON, so the same decision gives the same payload on any machine: k oracles that agree submit the same
hash, and their signatures go into one envelope (DSSE allows several; a verifier asks for k of them).
An envelope with one signature is what one oracle stores; :func:`combined` joins the quorum's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import rfc8785
from nacl.signing import SigningKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import Key, SecretsHandler, Signature, Signer, SSlibKey  # type: ignore[attr-defined]

from ledger.types import camel
from oracle.errors import RecordError

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:credtrace:decision:v1"


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Checkpoint:
    """The signed tree head that covers the ``ACCESS`` events read (RFC 9162 §4.3)."""

    tree_size: int
    root_hash: str


@dataclass(frozen=True)
class Application:
    """The application as the ``Applied`` event has it."""

    chain_id: int
    loan_ledger: str
    application_id: int
    bank: str
    subject: str
    consent_id: str
    amount: int
    term_months: int
    product_id: str


@dataclass(frozen=True)
class Decision:
    """The predicate. Money in fen, rate in basis points, PD in parts per million, as on chain."""

    chain_id: int
    loan_ledger: str
    application_id: int
    bank: str
    subject: str
    model_id: str
    policy_hash: str
    feature_vector_hash: str
    score: int
    pd_ppm: int
    decision: str
    """``APPROVE`` or ``DECLINE``."""
    limit: int
    rate_bps: int
    reasons: tuple[Reason, ...]
    access_events: tuple[int, ...]
    checkpoint: Checkpoint | None
    decided_at: str
    """RFC 3339, UTC."""


def as_json(value: Application | Decision) -> dict[str, Any]:
    """The record's JSON form: the contract's camelCase names (``applicationId``, ``pdPpm`` …)."""
    doc: dict[str, Any] = _camel(asdict(value))
    return doc


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_camel(v) for v in value]
    return value


def application_digest(application: Application) -> str:
    """SHA-256 of the application's RFC 8785 bytes: the Statement's subject digest."""
    return hashlib.sha256(rfc8785.dumps(as_json(application))).hexdigest()


def subject_name(chain_id: int, loan_ledger: str, application_id: int) -> str:
    return f"loan-application/{chain_id}/{loan_ledger}/{application_id}"


def statement(decision: Decision, application: Application) -> dict[str, Any]:
    """The in-toto Statement v1 around ``decision``."""
    name = subject_name(decision.chain_id, decision.loan_ledger, decision.application_id)
    return {"_type": STATEMENT_TYPE, "subject": [{"name": name, "digest": {"sha256": application_digest(application)}}],
            "predicateType": PREDICATE_TYPE, "predicate": as_json(decision)}


class NaclSigner(Signer):
    """A securesystemslib Signer over a PyNaCl Ed25519 key (no ``cryptography`` needed to sign)."""

    def __init__(self, key: SigningKey, keyid: str) -> None:
        self._key, self._keyid = key, keyid

    @property
    def public_key(self) -> Key:
        return SSlibKey(self._keyid, "ed25519", "ed25519", {"public": bytes(self._key.verify_key).hex()})

    def sign(self, payload: bytes) -> Signature:
        return Signature(self._keyid, self._key.sign(payload).signature.hex())

    @classmethod
    def from_priv_key_uri(cls, priv_key_uri: str, public_key: Key,
                          secrets_handler: SecretsHandler | None = None) -> Signer:
        raise RecordError("an oracle's key comes from its key store, not from a URI")


def sign(decision: Decision, application: Application, key: SigningKey, keyid: str) -> bytes:
    """The record one oracle signs: the DSSE envelope's RFC 8785 bytes."""
    envelope = Envelope(rfc8785.dumps(statement(decision, application)), PAYLOAD_TYPE, {})
    envelope.sign(NaclSigner(key, keyid))
    return rfc8785.dumps(envelope.to_dict())


def record_hash(record: bytes) -> str:
    """What goes on chain with the decision: SHA-256 of the record's payload (the Statement), 64 hex."""
    return hashlib.sha256(envelope(record).payload).hexdigest()


def combined(records: list[bytes]) -> bytes:
    """One envelope with every signature of ``records``, which must carry the same payload."""
    envelopes = [envelope(r) for r in records]
    if not envelopes or len({(e.payload, e.payload_type) for e in envelopes}) != 1:
        raise RecordError("only records of the same decision (the same payload) can be combined")
    joined = Envelope(envelopes[0].payload, envelopes[0].payload_type, {})
    for e in envelopes:
        joined.signatures.update(e.signatures)
    return rfc8785.dumps(joined.to_dict())


def envelope(record: bytes) -> Envelope:
    """The DSSE envelope in ``record``; RecordError if it is not one."""
    try:
        return Envelope.from_dict(json.loads(record))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RecordError(f"not a DSSE envelope: {exc}") from None


def opened(record: bytes) -> dict[str, Any]:
    """The in-toto Statement the record carries (not yet verified); RecordError if there is none."""
    env = envelope(record)
    if env.payload_type != PAYLOAD_TYPE:
        raise RecordError(f"the payload type is {env.payload_type!r}, not {PAYLOAD_TYPE!r}")
    try:
        doc = json.loads(env.payload)
    except ValueError as exc:
        raise RecordError(f"the payload is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("_type") != STATEMENT_TYPE or doc.get("predicateType") != PREDICATE_TYPE:
        raise RecordError("the payload is not an in-toto Statement v1 of a credtrace decision")
    return doc
