"""The oracle's pure core: an application, the records the gate disclosed and the served model become a
:class:`~oracle.record.Decision`. No I/O here: :mod:`oracle.service` reads, signs, stores and sends.

- **as of** the application's block time: the features read only rows of months before the block's month
  (``scoring.features``: no leakage), so every oracle computes the same vector for the same application;
- the **size class** the policy's limits need is read from the insured headcount (the feature
  ``headcount_level``): under 10 micro, under 100 small, else medium — the pilot's bands
  (``simulation.economy``); with no headcount on record, micro (the smallest limit);
- **money on chain**: the policy's limit in yuan becomes fen, never above the amount asked (the contract
  refuses a limit beyond it); the rate becomes basis points, the PD parts per million, the score an integer;
- a **refusal** (sanctioned, consent not valid, bank suspended, any access denied) is a decline with one
  reason code and no vector (``featureVectorHash`` empty, score and PD 0).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.catalogue.schema import SCHEMAS
from ledger.contracts.consent import Category
from oracle.case import Case
from oracle.errors import OracleError
from oracle.record import Application, Decision, Reason
from scoring import artifact
from scoring.artifact import Model
from scoring.features import extract
from scoring.policy import DEFAULT_POLICY, Policy, PolicyError
from scoring.vector import FeatureVector, canonical, vector_hash

MAX_REASONS = 4
SANCTIONED = Reason("SANCTIONED", "The enterprise is on the sanctions list (joint punishment, seeds R9)")
_CONSENT_REFUSALS = ("consent", "revoked", "expired", "not yet valid", "granted to another", "granted for another",
                     "not granted", "purpose differs", "no category requested")
"""How ``ledger.contracts.consent.check`` and the gate say a consent does not cover a read."""
REFUSALS = (
    ("sanctions list", "SANCTIONED"),
    ("bank the oracle reads for", "BANK_SUSPENDED"),
    ("enterprise that granted it", "CONSENT_INVALID"),
    *((phrase, "CONSENT_INVALID") for phrase in _CONSENT_REFUSALS),
)
"""A DENIED reason (``ledger.catalogue.gate``) → the decline's reason code; anything else is ACCESS_DENIED."""


@dataclass(frozen=True)
class Served:
    """The model an oracle serves: its id (SHA-256 of model.json), the parsed card, the product policy."""

    model_id: str
    model: Model
    policy: Policy


def served(doc: Mapping[str, Any], model_id: str) -> Served:
    """The artifact ``doc`` ready to score; its own policy, else :data:`DEFAULT_POLICY`."""
    terms = doc.get("policy")
    try:
        policy = DEFAULT_POLICY if terms is None else Policy.from_json(json.dumps(terms))
    except PolicyError as exc:
        raise OracleError(f"the model's policy is not usable: {exc}") from exc
    return Served(model_id, artifact.load(doc), policy)


def datasets(categories: int) -> tuple[str, ...]:
    """The datasets a consent of ``categories`` covers (none: every dataset, and the gate refuses)."""
    covered = tuple(name for name, s in SCHEMAS.items() if Category[s.department.upper()] & Category(categories))
    return covered or tuple(SCHEMAS)


def as_of(block_time: int) -> str:
    """The month (``YYYY-MM``) of the application's block: features read only the months before it."""
    return datetime.fromtimestamp(block_time, UTC).strftime("%Y-%m")


def grouped(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The gate's disclosure (each record names its dataset as ``department``) by dataset."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        found.setdefault(str(record["department"]), []).append(record)
    return found


def features(records: Iterable[Mapping[str, Any]], block_time: int) -> FeatureVector:
    return extract(grouped(records), as_of(block_time))


def size_class(vector: Mapping[str, Any]) -> str:
    level = vector.get("headcount_level")
    headcount = 0.0 if level is None else math.expm1(float(level))
    return "micro" if headcount < 9.5 else "small" if headcount < 99.5 else "medium"


def refusal(reason: str) -> Reason:
    """The decline's reason for a gate refusal: a code from :data:`REFUSALS` and the gate's own words."""
    code = next((c for phrase, c in REFUSALS if phrase in reason), "ACCESS_DENIED")
    return Reason(code, f"The data could not be read: {reason}")


def scored(app: Application, model: Served, vector: FeatureVector, case: Case) -> Decision:
    """Score ``vector`` and apply the policy: the decision this oracle signs for ``app``."""
    result = artifact.score(model.model, vector)
    terms = model.policy.decide(result.pd, size_class(vector))
    limit = min(terms.limit * 100, app.amount) if terms.approve else 0
    reasons = tuple(Reason(code, text) for code, text in result.reasons[:MAX_REASONS])
    return _decision(app, model, case, vector_hash(vector), round(result.score), round(result.pd * 1_000_000),
                     terms.approve and limit > 0, limit, round(terms.rate * 10_000) if limit else 0, reasons)


def declined(app: Application, model: Served, case: Case, reason: Reason) -> Decision:
    """A decline without a vector: the data was not read (sanctioned) or the gate refused."""
    return _decision(app, model, case, "", 0, 0, False, 0, 0, (reason,))


def _decision(app: Application, model: Served, case: Case, vector: str, score: int, pd_ppm: int, approve: bool,
              limit: int, rate_bps: int, reasons: tuple[Reason, ...]) -> Decision:
    return Decision(app.chain_id, app.loan_ledger, app.application_id, app.bank, app.subject, model.model_id,
                    model.policy.policy_id, vector, max(score, 0), min(max(pd_ppm, 0), 1_000_000),
                    "APPROVE" if approve else "DECLINE", limit, rate_bps, reasons, case.access_events,
                    case.checkpoint, case.decided_at)


def vector_bytes(vector: FeatureVector) -> tuple[str, bytes]:
    """(hash, RFC 8785 bytes): how the vector is stored, content-addressed."""
    return vector_hash(vector), canonical(vector)
