"""Reason codes (adverse-action reasons in the manner of US Regulation B, 12 CFR 1002.9(b)(2)).

Each feature of the card has a stable code, ``R01``, ``R02`` … in the order of feature names, and a
plain-language text (from the ``descriptions`` given at training, else "Value of <feature> lowered
the score"). For a scored vector, a feature's *shortfall* is its reference points minus the points
its bin earned, where the reference is the feature's **maximum** points over all its bins (the best
it could have contributed; the "maximum-points" method, so a reason says what cost the applicant
points rather than what was below average). The reasons are the features with a positive shortfall,
largest first (ties by code), at most four. Shortfalls are computed in integer hundredths of a
point from the very numbers the score is summed from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.errors import ArtifactError

MAX_REASONS = 4


@dataclass(frozen=True)
class ReasonCode:
    code: str
    feature: str
    text: str


def default_text(feature: str) -> str:
    return f"Value of {feature} lowered the score"


def assign(features: Sequence[str], descriptions: Mapping[str, str] | None = None) -> tuple[ReasonCode, ...]:
    """One code per feature, numbered in the order of the sorted feature names."""
    texts = descriptions or {}
    return tuple(
        ReasonCode(f"R{i:02d}", name, texts.get(name) or default_text(name))
        for i, name in enumerate(sorted(features), start=1)
    )


def explain(
    earned: Mapping[str, int], reference: Mapping[str, int], table: Sequence[ReasonCode], limit: int = MAX_REASONS
) -> list[tuple[str, str]]:
    """(code, text) of the features that cost the most points; ``earned``/``reference`` in hundredths."""
    short = [(reference[r.feature] - earned[r.feature], r) for r in table]
    ranked = sorted((s for s in short if s[0] > 0), key=lambda s: (-s[0], s[1].code))
    return [(r.code, r.text) for _, r in ranked[:limit]]


def to_json(table: Sequence[ReasonCode]) -> list[dict[str, str]]:
    return [{"code": r.code, "feature": r.feature, "text": r.text} for r in table]


def from_json(docs: Sequence[Mapping[str, Any]]) -> tuple[ReasonCode, ...]:
    try:
        return tuple(ReasonCode(str(d["code"]), str(d["feature"]), str(d["text"])) for d in docs)
    except (KeyError, TypeError) as e:
        raise ArtifactError(f"malformed reason-code table: {e!r}") from e
