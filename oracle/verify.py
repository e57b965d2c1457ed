"""A bank's check of a signed decision record against the chain alone (issue 15).

The record (:mod:`oracle.record`) claims: *these oracles, with the keys the ParticipantRegistry held for
them, signed this decision about this application, made with this model, and its hash is on chain*. Each
claim is one named check, run in this order, most specific first, so a tampering is named by what it
broke rather than by the catch-all hash (any changed byte changes it):

``envelope``       a DSSE envelope (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md)
                   around an in-toto Statement v1 of a credtrace decision, with the fields the predicate needs
``application``    the predicate's chain id, LoanLedger, application id, bank and enterprise pseudonym (and the
                   Statement's subject name) are the application's as the ``Applied`` event has them
``decided``        the application has a final decision on chain (its ``Decided`` event)
``subject``        the Statement's subject digest is :func:`oracle.record.application_digest` of the application
``signatures``     every signature verifies (DSSE PAE, Ed25519) against the key the registry held for its
                   ``keyid`` at the block of that oracle's ``DecisionSubmitted`` (the ``Decided`` block for a
                   signer who never submitted), and every signer is an ORACLE
``quorum``         at least the policy quorum in force at the decision (1 before any policy) signed
``model``          the model was servable when the decision was mined: approved before it, not retired before it
``terms``          approve/decline, limit, rate, PD, score and model id are the ``Decided`` event's
``record-hash``    SHA-256 of the payload is the ``Decided`` event's record hash, and no signer submitted another
``access-events``  (with witnesses) every ``ACCESS`` event the record cites is proved in a checkpoint anchored
                   on chain, is an ``ACCESS`` of this enterprise under this application's consent, and lies in
                   the checkpoint the record names, whose root the chain anchored

Checks stop at the first failure: what follows it would be checked against something already wrong.
Everything here is pure: :mod:`oracle.claim` reads the record, :mod:`oracle.evidence` the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from ledger.types import Role
from oracle import record
from oracle.claim import Claim, claim
from oracle.errors import RecordError

Position = tuple[int, int]
"""Where an event was mined: (block number, log index); the chain's order."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Decided:
    """The application's ``Decided`` event."""

    approve: bool
    limit: int
    rate_bps: int
    pd_ppm: int
    score: int
    model_id: str
    record_hash: str
    at: Position
    tx: str


@dataclass(frozen=True)
class Signer:
    """What the chain says of a signature's ``keyid``."""

    role: Role
    key: bytes | None
    """The Ed25519 key registered for it at ``block``; None if none was."""
    block: int
    submitted: str | None
    """The record hash its ``DecisionSubmitted`` for the application carries; None if it submitted none."""


@dataclass(frozen=True)
class Proven:
    """A cited log event with a witness that checked out against the chain, or why it did not."""

    event: Mapping[str, Any] | None
    problem: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What the chain says about the application a record names (:mod:`oracle.evidence` reads it)."""

    chain_id: int
    loan_ledger: str
    application: record.Application | None
    """As the ``Applied`` event has it (addresses checksummed, ids as 64 hex); None if there is none."""
    decided: Decided | None
    quorum: int
    signers: Mapping[str, Signer]
    model_approved: Position | None
    model_retired: Position | None
    proven: Mapping[int, Proven] | None = None
    """Cited event index → its witness's outcome, when witnesses were given."""
    anchored_root: str | None = None
    """The root the chain anchored for the record's checkpoint size, when witnesses were given."""


# ---- the checks -------------------------------------------------------------------------------------


class Failed(Exception):
    """Inside a check: the claim does not hold; the message is the check's detail."""


Step = Callable[[Claim, Evidence], str]


def verified(raw: bytes, gather: Callable[[Claim], Evidence], application_id: int | None = None) -> list[Check]:
    """Every check of the record ``raw``, in order, up to the first that fails; ``gather`` reads what the
    chain says about the application it names, ``application_id`` the one the bank expects it to be of."""
    try:
        c = claim(raw)
    except RecordError as exc:
        return [Check("envelope", False, str(exc))]
    found = Check("envelope", True, f"DSSE envelope, {record.PAYLOAD_TYPE}, in-toto Statement v1 of "
                                    f"{record.PREDICATE_TYPE}, {len(c.envelope.signatures)} signature(s)")
    if application_id is not None and c.decision.application_id != application_id:
        return [found, Check("application", False, f"the record is of application {c.decision.application_id}, "
                                                   f"not of {application_id}")]
    return [found, *checks(c, gather(c))]


def checks(c: Claim, evidence: Evidence) -> Iterator[Check]:
    """Each check after ``envelope``, in order, stopping after the first that fails."""
    steps: list[tuple[str, Step]] = [("application", _application), ("decided", _decided), ("subject", _subject),
                                     ("signatures", _signatures), ("quorum", _quorum), ("model", _model),
                                     ("terms", _terms), ("record-hash", _record_hash)]
    if evidence.proven is not None:
        steps.append(("access-events", _access_events))
    for name, step in steps:
        try:
            yield Check(name, True, step(c, evidence))
        except Failed as exc:
            yield Check(name, False, str(exc))
            return


def _same_address(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _hex(text: str) -> str:
    return text.lower().removeprefix("0x")


def _application(c: Claim, e: Evidence) -> str:
    d, a = c.decision, e.application
    if d.chain_id != e.chain_id or not _same_address(d.loan_ledger, e.loan_ledger):
        raise Failed(f"the record is for chain {d.chain_id}, LoanLedger {d.loan_ledger}; "
                     f"this is chain {e.chain_id}, LoanLedger {e.loan_ledger}")
    if a is None:
        raise Failed(f"application {d.application_id} is not on chain")
    if not _same_address(d.bank, a.bank) or _hex(d.subject) != a.subject:
        raise Failed(f"the record names bank {d.bank} and enterprise {d.subject}; application {a.application_id} "
                     f"is bank {a.bank}'s, for enterprise {a.subject}")
    if c.statement["subject"][0]["name"] != record.subject_name(d.chain_id, d.loan_ledger, d.application_id):
        raise Failed("the Statement's subject name is not the application the predicate names")
    return f"application {a.application_id} of bank {a.bank}, enterprise {a.subject}, on chain {e.chain_id}"


def _decided(c: Claim, e: Evidence) -> str:
    if e.decided is None:
        raise Failed(f"application {c.decision.application_id} has no final decision on chain")
    return f"decided in block {e.decided.at[0]} (transaction {e.decided.tx})"


def _subject(c: Claim, e: Evidence) -> str:
    assert e.application is not None
    # The record's own spelling of the addresses (EIP-55 case is presentation); _application held them equal.
    as_signed = replace(e.application, loan_ledger=c.decision.loan_ledger, bank=c.decision.bank)
    expected, found = record.application_digest(as_signed), c.statement["subject"][0]["digest"]["sha256"]
    if found != expected:
        raise Failed(f"the subject digest {found} is not the application's as on chain ({expected})")
    return f"sha256:{expected}"


def _signatures(c: Claim, e: Evidence) -> str:
    if not c.envelope.signatures:
        raise Failed("the envelope carries no signature")
    pae = c.envelope.pae()
    for keyid, signature in c.envelope.signatures.items():
        signer = e.signers.get(keyid)
        if signer is None or signer.key is None:
            raise Failed(f"{keyid} had no signing key registered at block {signer.block if signer else '?'}")
        if signer.role is not Role.ORACLE:
            raise Failed(f"{keyid} is a {signer.role.name}, not an ORACLE")
        try:
            VerifyKey(signer.key).verify(pae, bytes.fromhex(signature.signature))
        except (BadSignatureError, ValueError):
            raise Failed(f"{keyid}'s signature does not verify against the key the registry held for it at "
                         f"block {signer.block} ({signer.key.hex()})") from None
    return ", ".join(f"{k} (key at block {e.signers[k].block})" for k in sorted(c.envelope.signatures))


def _quorum(c: Claim, e: Evidence) -> str:
    # Distinct accounts, not keyids: one oracle's signature under two spellings of its address is one.
    n = len({keyid.lower() for keyid in c.envelope.signatures})
    if n < e.quorum:
        raise Failed(f"{n} oracle(s) signed; the quorum in force at the decision is {e.quorum}")
    return f"{n} oracle(s) signed, quorum {e.quorum}"


def _model(c: Claim, e: Evidence) -> str:
    assert e.decided is not None
    at, model = e.decided.at, c.decision.model_id
    if e.model_approved is None or e.model_approved > at:
        raise Failed(f"model {model} was not approved when the decision was mined (block {at[0]})")
    if e.model_retired is not None and e.model_retired < at:
        raise Failed(f"model {model} was retired in block {e.model_retired[0]}, before the decision (block {at[0]})")
    return f"model {model} approved in block {e.model_approved[0]}, servable at block {at[0]}"


def _terms(c: Claim, e: Evidence) -> str:
    assert e.decided is not None
    d, chain = c.decision, e.decided
    ours = (d.decision, d.limit, d.rate_bps, d.pd_ppm, d.score, _hex(d.model_id))
    theirs = ("APPROVE" if chain.approve else "DECLINE", chain.limit, chain.rate_bps, chain.pd_ppm, chain.score,
              chain.model_id)
    names = ("decision", "limit", "rateBps", "pdPpm", "score", "modelId")
    differ = [f"{n} {a!r} (chain: {b!r})" for n, a, b in zip(names, ours, theirs, strict=True) if a != b]
    if differ:
        raise Failed("the record's terms are not the Decided event's: " + "; ".join(differ))
    return f"{d.decision}, limit {d.limit} fen, rate {d.rate_bps} bps, PD {d.pd_ppm} ppm, score {d.score}"


def _record_hash(c: Claim, e: Evidence) -> str:
    assert e.decided is not None
    ours = hashlib.sha256(c.envelope.payload).hexdigest()
    if e.decided.record_hash != ours:
        raise Failed(f"the record's hash {ours} is not the one decided on chain ({e.decided.record_hash})")
    for keyid in sorted(c.envelope.signatures):
        submitted = e.signers[keyid].submitted
        if submitted is not None and submitted != ours:
            raise Failed(f"{keyid} signed this record but submitted {submitted} on chain")
    return f"sha256:{ours} in Decided (transaction {e.decided.tx})"


def _access_events(c: Claim, e: Evidence) -> str:
    assert e.proven is not None and e.application is not None
    cited, checkpoint = c.decision.access_events, c.decision.checkpoint
    for index in cited:
        _access(index, e.proven.get(index), e.application)
    if cited and checkpoint is None:
        raise Failed("the record cites ACCESS events but names no checkpoint covering them")
    if checkpoint is not None:
        if e.anchored_root is None or _hex(checkpoint.root_hash) != e.anchored_root:
            raise Failed(f"the record's checkpoint (size {checkpoint.tree_size}) is not a tree head anchored on chain")
        if cited and max(cited) >= checkpoint.tree_size:
            raise Failed(f"the record's checkpoint (size {checkpoint.tree_size}) does not cover event {max(cited)}")
    return f"{len(cited)} ACCESS event(s) {list(cited)} proved in anchored checkpoints"


def _access(index: int, proven: Proven | None, a: record.Application) -> None:
    if proven is None:
        raise Failed(f"no witness for the cited event {index}")
    if proven.event is None:
        raise Failed(f"event {index}'s witness does not hold: {proven.problem}")
    ev = proven.event
    if ev.get("action") != "ACCESS" or ev.get("subject") != a.subject or _hex(str(ev.get("consent"))) != a.consent_id:
        raise Failed(f"event {index} is not an ACCESS of enterprise {a.subject} under consent 0x{a.consent_id}")
