"""The model artifact: plain JSON, hashed as RFC 8785 canonical bytes, scored by pure arithmetic.

Layout (``format`` = :data:`FORMAT`)::

    features       per feature (sorted by name): name, kind, monotone, description, reason code,
                   coefficient, reference_points (average over development: what reasons are measured
                   against, scoring.reasons), iv, edges | categories,
                   bins [{label, goods, bads, woe, points, reason (plain-language text)}]
    intercept      of the regression (logit P(bad), see scoring.scorecard for the sign convention)
    scaling        base_score, base_odds, pdo and the factor and offset derived from them
    calibration    Platt parameters (scoring.calibration)
    reason_codes   [{code, feature, text}]
    training       rows, bads, seed, rules, every candidate column with its IV and outcome
    libraries      python, numpy, scikit-learn versions that trained it
    policy         the product policy given at training (scoring.policy), or null

``model_id`` is the SHA-256 (hex) of the canonical bytes (RFC 8785, JSON Canonicalization
Scheme); ``model.json`` is written as exactly those bytes, so ``sha256sum model.json`` is the id.
Nothing is pickled; the challenger is not part of the artifact (its metrics are in the report).
Scoring needs only this JSON: bins by ``bisect``, points summed in integer hundredths, the PD in
``decimal`` arithmetic; scikit-learn is not imported to score.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import rfc8785

from scoring import calibration as calibration_
from scoring import reasons as reasons_
from scoring.binning import Value
from scoring.calibration import Platt
from scoring.errors import ArtifactError, ScoringInputError
from scoring.reasons import Description, ReasonCode
from scoring.scorecard import Champion, Scaling, Scorecard, centipoints, feature_from_json, feature_to_json

FORMAT = "credtrace.scorecard/2"  # /2: reference points and per-bin reason texts (issue 13)


@dataclass(frozen=True)
class Model:
    """A parsed artifact, ready to score many vectors."""

    scorecard: Scorecard
    calibration: Platt
    reasons: tuple[ReasonCode, ...]
    policy: Mapping[str, Any] | None
    texts: Mapping[str, tuple[str, ...]]  # feature → the reason text of each bin

    @cached_property
    def centipoints(self) -> dict[str, tuple[int, ...]]:
        """Each feature's bin points in hundredths, computed once per model (not once per row)."""
        return {f.name: tuple(centipoints(p) for p in f.points) for f in self.scorecard.features}

    @cached_property
    def references(self) -> dict[str, int]:
        return {f.name: centipoints(f.reference) for f in self.scorecard.features}


@dataclass(frozen=True)
class Scored:
    score: float
    pd: float
    reasons: list[tuple[str, str]]  # (code, text of the bin), the largest shortfall below the reference first
    points: dict[str, float]  # feature → points its bin earned
    bins: dict[str, str]  # feature → label of the bin the value fell in

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "pd": self.pd, "reasons": [list(r) for r in self.reasons],
                "points": self.points, "bins": self.bins}


def build(
    champion: Champion, platt: Platt, *, descriptions: Mapping[str, str] | None, training: Mapping[str, Any],
    libraries: Mapping[str, str], policy: Mapping[str, Any] | None = None,
    describe: Mapping[str, Description] | None = None,
) -> dict[str, Any]:
    """The artifact document for a fitted champion and its calibration; ``descriptions`` are the
    features' sentences, ``describe`` names and per-bin texts (:mod:`scoring.reasons`)."""
    card = champion.scorecard
    said = {f.name: _description(f.name, descriptions, describe) for f in card.features}
    table = reasons_.assign([f.name for f in card.features], {n: d.sentence for n, d in said.items()})
    code_of = {r.feature: r.code for r in table}
    features = [
        _with_texts({**feature_to_json(f), "description": said[f.name].sentence, "reason_code": code_of[f.name]},
                    reasons_.bin_texts(f.binning, said[f.name]))
        for f in card.features
    ]
    return {
        "format": FORMAT, "features": features, "intercept": card.intercept, "scaling": card.scaling.to_json(),
        "calibration": platt.to_json(), "reason_codes": reasons_.to_json(table), "training": dict(training),
        "libraries": dict(libraries), "policy": None if policy is None else dict(policy),
    }


def _description(name: str, descriptions: Mapping[str, str] | None,
                 describe: Mapping[str, Description] | None) -> Description:
    given = (describe or {}).get(name, Description())
    return Description(given.name, given.sentence or (descriptions or {}).get(name, ""), given.bins)


def _with_texts(doc: dict[str, Any], texts: tuple[str, ...]) -> dict[str, Any]:
    for bin_doc, text in zip(doc["bins"], texts, strict=True):
        bin_doc["reason"] = text
    return doc


def canonical(doc: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical bytes of the artifact (refuses NaN, infinities and non-JSON values)."""
    try:
        return rfc8785.dumps(doc)
    except (rfc8785.CanonicalizationError, TypeError) as e:
        raise ArtifactError(f"the artifact is not canonical JSON: {e}") from e


def model_id(doc: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(doc)).hexdigest()


def load(doc: Mapping[str, Any]) -> Model:
    """Parse and check an artifact document."""
    if doc.get("format") != FORMAT:
        raise ArtifactError(f"unknown artifact format {doc.get('format')!r} (expected {FORMAT!r})")
    try:
        s = doc["scaling"]
        scaling = Scaling(float(s["base_score"]), float(s["base_odds"]), float(s["pdo"]))
        features = tuple(feature_from_json(f) for f in doc["features"])
        card = Scorecard(features, float(doc["intercept"]), scaling)
        texts = {str(f["name"]): tuple(str(b["reason"]) for b in f["bins"]) for f in doc["features"]}
        model = Model(card, calibration_.from_json(doc["calibration"]), reasons_.from_json(doc["reason_codes"]),
                      doc.get("policy"), texts)
    except (KeyError, TypeError, ValueError) as e:
        raise ArtifactError(f"malformed artifact: {e!r}") from e
    if [r.feature for r in model.reasons] != sorted(f.name for f in features):
        raise ArtifactError("the reason-code table must name each feature once, in name order")
    return model


def score(artifact: Mapping[str, Any] | Model, vector: Mapping[str, Value]) -> Scored:
    """Score one feature vector (every card feature present; ``None`` = missing)."""
    model = artifact if isinstance(artifact, Model) else load(artifact)
    earned: dict[str, int] = {}
    bins: dict[str, str] = {}
    texts: dict[str, str] = {}
    for f in model.scorecard.features:
        if f.name not in vector:
            raise ScoringInputError(f"the vector has no value for feature {f.name!r} (give None for missing)")
        i = f.binning.index(vector[f.name])
        earned[f.name], bins[f.name], texts[f.name] = model.centipoints[f.name][i], f.binning.bins[i].label, \
            model.texts[f.name][i]
    total = sum(earned.values()) / 100
    return Scored(
        score=total, pd=calibration_.pd(model.calibration, total),
        reasons=reasons_.explain(earned, model.references, model.reasons, texts),
        points={k: v / 100 for k, v in earned.items()}, bins=bins,
    )


def score_bytes(artifact: Mapping[str, Any] | Model, vector: Mapping[str, Value]) -> bytes:
    """Canonical JSON (RFC 8785) of :func:`score`'s result: the same bytes on every machine."""
    return rfc8785.dumps(score(artifact, vector).to_json())


def write(doc: Mapping[str, Any], path: Path) -> str:
    """Write the canonical bytes; return the model id (their SHA-256)."""
    data = canonical(doc)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError) as e:
        raise ArtifactError(f"cannot read the model artifact {path}: {e}") from e
    if not isinstance(doc, dict):
        raise ArtifactError(f"{path}: the artifact must be a JSON object")
    load(doc)
    return doc
