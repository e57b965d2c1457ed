"""Reason codes (adverse-action reasons in the manner of US Regulation B, 12 CFR 1002.9(b)(2)).

Each feature of the card has a stable code, ``R01``, ``R02`` … in the order of feature names.

Reference. A feature's *shortfall* for a scored vector is its **reference** points minus the
points its bin earned, where the reference is the average points the development population
earned on that feature (one of the methods Regulation B's official commentary names for credit
scoring systems, 12 CFR 1002 Supplement I, comment 9(b)(2)-5: the factors for which the
applicant's score fell furthest below the average score achieved on them by all applicants).
Only a feature strictly below its reference lowered the score, so only such features are cited: at
most four, largest shortfall first (ties by code). The earlier "furthest below the best bin" method
cited features whose value was of average risk (a two-valued column whose rare value scores high was
named for nearly every decline). Shortfalls are computed in integer hundredths of a point from the
very numbers the score is summed from.

Texts. Each bin has a plain-language text, the one given with the reason: from ``--describe``
(:func:`describe_from_json`: a column's name phrase, its sentence, per-bin texts), else the
feature's sentence (``descriptions``) with the value named, else a default naming the value:
"Checking account balance below 0", "Purpose: car (new)", "Savings: not given".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.binning import FeatureBinning
from scoring.errors import ArtifactError, DataError

MAX_REASONS = 4


@dataclass(frozen=True)
class ReasonCode:
    code: str
    feature: str
    text: str


@dataclass(frozen=True)
class Description:
    """How to speak of one column: its ``name`` phrase, a ``sentence`` (the feature's reason
    text), and texts for particular bins by label (``bins``)."""

    name: str = ""
    sentence: str = ""
    bins: Mapping[str, str] | None = None


def default_text(feature: str) -> str:
    return f"Value of {feature} lowered the score"


def assign(features: Sequence[str], descriptions: Mapping[str, str] | None = None) -> tuple[ReasonCode, ...]:
    """One code per feature, numbered in the order of the sorted feature names."""
    texts = descriptions or {}
    return tuple(
        ReasonCode(f"R{i:02d}", name, texts.get(name) or default_text(name))
        for i, name in enumerate(sorted(features), start=1)
    )


def value_phrase(binning: FeatureBinning, index: int, name: str) -> str:
    """The bin's value in words: "age below 25", "age from 25 to under 40", "purpose: car", "x: not given"."""
    label = binning.bins[index].label
    if index == binning.missing:
        return f"{name}: not given"
    if binning.kind == "categorical":
        return f"{name}: another value" if label == "other" else f"{name}: {label}"
    low, high = label.strip("[)").split(", ")
    if low == "-inf" and high == "+inf":
        return f"{name}: any value"
    if low == "-inf":
        return f"{name} below {high}"
    return f"{name} {low} or more" if high == "+inf" else f"{name} from {low} to under {high}"


def bin_texts(binning: FeatureBinning, description: Description) -> tuple[str, ...]:
    """The reason text of each bin (see the module docstring for the order of preference)."""
    name = description.name or binning.name
    given = description.bins or {}
    out = []
    for i, b in enumerate(binning.bins):
        phrase = value_phrase(binning, i, name)
        out.append(given.get(b.label) or (f"{description.sentence} ({phrase})" if description.sentence else phrase))
    return tuple(out)


def describe_from_json(doc: Any) -> dict[str, Description]:
    """``--describe`` FILE's JSON: column → a name phrase, or {"name", "text", "bins": {label: text}}."""
    if not isinstance(doc, dict):
        raise DataError("the description file must be a JSON object: column → text or {name, text, bins}")
    return {str(k): _description(str(k), v) for k, v in doc.items()}


def _description(column: str, value: Any) -> Description:
    if isinstance(value, str):
        return Description(name=value)
    bins = value.get("bins", {}) if isinstance(value, dict) else None
    if not isinstance(value, dict) or not isinstance(bins, dict) or not all(
            isinstance(v, str) for v in [value.get("name", ""), value.get("text", ""), *bins.values()]):
        raise DataError(f"description of {column!r}: give a text, or an object with text fields name, text, bins")
    return Description(value.get("name", ""), value.get("text", ""), {str(k): v for k, v in bins.items()})


def explain(
    earned: Mapping[str, int], reference: Mapping[str, int], table: Sequence[ReasonCode],
    texts: Mapping[str, str], limit: int = MAX_REASONS,
) -> list[tuple[str, str]]:
    """(code, text of the bin the value fell in) of the features strictly below their reference,
    largest shortfall first; ``earned`` and ``reference`` in hundredths of a point."""
    short = [(reference[r.feature] - earned[r.feature], r) for r in table]
    ranked = sorted((s for s in short if s[0] > 0), key=lambda s: (-s[0], s[1].code))
    return [(r.code, texts[r.feature]) for _, r in ranked[:limit]]


def to_json(table: Sequence[ReasonCode]) -> list[dict[str, str]]:
    return [{"code": r.code, "feature": r.feature, "text": r.text} for r in table]


def from_json(docs: Sequence[Mapping[str, Any]]) -> tuple[ReasonCode, ...]:
    try:
        return tuple(ReasonCode(str(d["code"]), str(d["feature"]), str(d["text"])) for d in docs)
    except (KeyError, TypeError) as e:
        raise ArtifactError(f"malformed reason-code table: {e!r}") from e
