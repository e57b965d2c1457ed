"""What a signed decision record claims, read from its bytes and not yet believed: the DSSE envelope, the
in-toto Statement it carries, and the decision in the Statement's predicate with every field of its type.

:mod:`oracle.verify` checks the claim against the chain; a record that cannot even be read as one is a
:class:`~oracle.errors.RecordError` naming what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from securesystemslib.dsse import Envelope

from oracle import record
from oracle.errors import RecordError


@dataclass(frozen=True)
class Claim:
    """What a record claims, read from its envelope (not yet believed)."""

    envelope: Envelope
    statement: Mapping[str, Any]
    decision: record.Decision


def claim(raw: bytes) -> Claim:
    """The record's envelope, Statement and decision; RecordError naming what is missing."""
    env, statement = record.envelope(raw), record.opened(raw)
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise RecordError("the Statement has not exactly one subject (the application)")
    digest = subjects[0].get("digest")
    if not isinstance(subjects[0].get("name"), str) or not isinstance(digest, dict) or "sha256" not in digest:
        raise RecordError("the Statement's subject has no name or no sha256 digest")
    return Claim(env, statement, decision_of(statement.get("predicate")))


_INTS = ("chainId", "applicationId", "score", "pdPpm", "limit", "rateBps")
_TEXTS = ("loanLedger", "bank", "subject", "modelId", "policyHash", "featureVectorHash", "decision", "decidedAt")


def decision_of(predicate: Any) -> record.Decision:
    """The predicate as a :class:`oracle.record.Decision`, every field of its type (JSON's ``true`` is no
    number here)."""
    if not isinstance(predicate, dict):
        raise RecordError("the predicate is not a JSON object")
    for name in _INTS:
        if type(predicate.get(name)) is not int:
            raise RecordError(f"the predicate's {name} is not an integer")
    for name in _TEXTS:
        if not isinstance(predicate.get(name), str):
            raise RecordError(f"the predicate's {name} is not a string")
    try:
        reasons = tuple(record.Reason(r["code"], r["text"]) for r in predicate.get("reasons", []))
        access = tuple(int(i) for i in predicate.get("accessEvents", []) if type(i) is int)
        checkpoint = _checkpoint(predicate.get("checkpoint"))
    except (TypeError, KeyError, ValueError) as exc:
        raise RecordError(f"the predicate's reasons, access events or checkpoint are malformed: {exc}") from None
    if len(access) != len(predicate.get("accessEvents", [])):
        raise RecordError("the predicate's accessEvents are not all log indexes")
    p = predicate
    return record.Decision(p["chainId"], p["loanLedger"], p["applicationId"], p["bank"], p["subject"], p["modelId"],
                           p["policyHash"], p["featureVectorHash"], p["score"], p["pdPpm"], p["decision"], p["limit"],
                           p["rateBps"], reasons, access, checkpoint, p["decidedAt"])


def _checkpoint(doc: Any) -> record.Checkpoint | None:
    if doc is None:
        return None
    if type(doc["treeSize"]) is not int or not isinstance(doc["rootHash"], str):
        raise ValueError("checkpoint needs treeSize (integer) and rootHash (hex)")
    return record.Checkpoint(doc["treeSize"], doc["rootHash"])
