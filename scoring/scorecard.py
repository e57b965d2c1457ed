"""The champion: a logistic regression on WoE-coded features, scaled to points (PDO scaling).

Sign convention: the regression models ``logit P(bad) = β0 + Σ_j β_j · WoE_j``. WoE is
ln(good share / bad share) (see :mod:`scoring.binning`), so a safer bin has a higher WoE and every
β_j must be negative; a feature whose fitted coefficient is ≥ 0 (collinearity turned it round) is
dropped and the model refitted, largest offender first.

Points (higher = safer)::

    factor = pdo / ln 2          offset = base_score - factor · ln(base_odds)
    score  = offset + factor · ln(odds good:bad) = offset - factor · (β0 + Σ_j β_j · WoE_j)
    points(j, bin) = round( -(β_j · WoE_j,bin + β0 / n) · factor + offset / n , 2 )

with n the number of features in the card: the score is the sum of the n bins' points, so base_odds
(good:bad) sit at base_score and every ``pdo`` points double them. Points are rounded when fitted
and scores are summed in integer hundredths, so one vector and one artifact give one score, anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Context, Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring import binning as binning_
from scoring.binning import BinningRules, FeatureBinning
from scoring.dataset import Dataset
from scoring.errors import ArtifactError, TrainingError

DIGITS = 8  # coefficients are stored rounded, and points computed from the stored values
_EXACT = Context(prec=34)


@dataclass(frozen=True)
class Scaling:
    """Score scaling: ``base_odds`` (good:bad) score ``base_score``; odds double every ``pdo`` points."""

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        """pdo / ln 2, computed in decimal (correctly rounded, not the platform's libm)."""
        return round(float(_EXACT.divide(Decimal(self.pdo), _EXACT.ln(Decimal(2)))), 10)

    @property
    def offset(self) -> float:
        ln_odds = _EXACT.ln(Decimal(self.base_odds))
        return round(float(Decimal(self.base_score) - Decimal(self.factor) * ln_odds), 10)

    def to_json(self) -> dict[str, float]:
        return {"base_score": self.base_score, "base_odds": self.base_odds, "pdo": self.pdo,
                "factor": self.factor, "offset": self.offset}


@dataclass(frozen=True)
class SelectionRules:
    min_iv: float = 0.02
    max_features: int = 15
    C: float = 1.0  # inverse L2 strength of the regression (fixed, not tuned)


DEFAULT_SCALING = Scaling()
DEFAULT_SELECTION = SelectionRules()
DEFAULT_BINNING = BinningRules()


@dataclass(frozen=True)
class FeaturePoints:
    binning: FeatureBinning
    coefficient: float
    points: tuple[float, ...]  # one per bin of ``binning``
    reference: float = 0.0  # average points over the development rows: what a reason is measured against

    @property
    def name(self) -> str:
        return self.binning.name


@dataclass(frozen=True)
class Scorecard:
    features: tuple[FeaturePoints, ...]  # sorted by name
    intercept: float
    scaling: Scaling


@dataclass(frozen=True)
class Candidate:
    """One column considered for the card, and what became of it."""

    name: str
    kind: str
    iv: float
    outcome: str  # "selected", "IV below …", "beyond the top … by IV", "coefficient of wrong sign"


@dataclass(frozen=True)
class Champion:
    scorecard: Scorecard
    candidates: tuple[Candidate, ...]


def centipoints(points: float) -> int:
    """Points in integer hundredths: the unit scores are summed in."""
    return round(points * 100)


def fit_champion(
    data: Dataset,
    scaling: Scaling,
    rules: BinningRules = DEFAULT_BINNING,
    selection: SelectionRules = DEFAULT_SELECTION,
) -> Champion:
    """Bin every column, select by IV and coefficient sign, fit the regression, allocate points."""
    bads = int(data.target.sum())
    if bads == 0 or bads == data.rows:
        raise TrainingError(f"the target needs goods and bads: {data.rows} rows, {bads} bad")
    fitted = {n: binning_.fit(n, data.kinds[n], data.columns[n], data.target, data.direction(n), rules)
              for n in data.names}
    ranked = sorted(fitted.values(), key=lambda b: (-b.iv, b.name))
    outcome = {b.name: f"IV below {selection.min_iv}" for b in ranked if b.iv < selection.min_iv}
    eligible = [b for b in ranked if b.iv >= selection.min_iv]
    outcome |= {b.name: f"beyond the top {selection.max_features} by IV" for b in eligible[selection.max_features:]}
    kept, coefs, intercept, dropped = _fit_signed(eligible[: selection.max_features], data, selection.C)
    outcome |= {name: "coefficient of wrong sign" for name in dropped} | {b.name: "selected" for b in kept}
    card = _with_references(_allocate(kept, coefs, intercept, scaling), data.columns)
    candidates = tuple(Candidate(b.name, b.kind, b.iv, outcome[b.name]) for b in sorted(ranked, key=lambda b: b.name))
    return Champion(card, candidates)


def _fit_signed(
    chosen: list[FeatureBinning], data: Dataset, c: float
) -> tuple[list[FeatureBinning], list[float], float, list[str]]:
    """Fit; while a coefficient is ≥ 0, drop the largest such feature and refit."""
    dropped: list[str] = []
    while chosen:
        coefs, intercept = _regress(woe_matrix(chosen, data.columns), data.target, c)
        worst = max(range(len(chosen)), key=lambda i: (coefs[i], chosen[i].name))
        if coefs[worst] < 0:
            return chosen, coefs, intercept, dropped
        dropped.append(chosen.pop(worst).name)
    raise TrainingError(
        "no feature is informative enough: none has an IV of at least the threshold "
        "with a coefficient of the right sign" + (f" (dropped for sign: {', '.join(dropped)})" if dropped else "")
    )


def _regress(x: NDArray[np.float64], y: NDArray[np.int8], c: float) -> tuple[list[float], float]:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # training only

    model = LogisticRegression(C=c, solver="lbfgs", max_iter=1000, tol=1e-6)
    model.fit(x, y)
    coefs = [round(float(v), DIGITS) for v in model.coef_[0]]
    return coefs, round(float(model.intercept_[0]), DIGITS)


def woe_matrix(binnings: list[FeatureBinning], columns: Mapping[str, NDArray[Any]]) -> NDArray[np.float64]:
    """rows x features of WoE values, one column per binning, in the given order."""
    out = np.empty((len(next(iter(columns.values()))), len(binnings)), dtype=np.float64)
    for j, b in enumerate(binnings):
        table = np.array([bin_.woe for bin_ in b.bins], dtype=np.float64)
        out[:, j] = table[binning_.indices(b, columns[b.name])]
    return out


def _allocate(kept: list[FeatureBinning], coefs: list[float], intercept: float, scaling: Scaling) -> Scorecard:
    n = len(kept)
    factor, offset = scaling.factor, scaling.offset
    features = [
        FeaturePoints(b, beta, tuple(round(-(beta * x.woe + intercept / n) * factor + offset / n, 2) for x in b.bins))
        for b, beta in zip(kept, coefs, strict=True)
    ]
    return Scorecard(tuple(sorted(features, key=lambda f: f.name)), intercept, scaling)


def _with_references(card: Scorecard, columns: Mapping[str, NDArray[Any]]) -> Scorecard:
    """Each feature's reference: the average points the development rows earned on it (2 decimals)."""
    if not card.features:
        return card
    means = centipoint_matrix(card, columns).mean(axis=0)
    features = tuple(replace(f, reference=round(float(m) / 100, 2)) for f, m in zip(card.features, means, strict=True))
    return replace(card, features=features)


def centipoint_matrix(card: Scorecard, columns: Mapping[str, NDArray[Any]]) -> NDArray[np.int64]:
    """rows x card features of points in hundredths: the vectorised twin of artifact scoring."""
    out = np.empty((len(next(iter(columns.values()))), len(card.features)), dtype=np.int64)
    for j, f in enumerate(card.features):
        table = np.array([centipoints(p) for p in f.points], dtype=np.int64)
        out[:, j] = table[binning_.indices(f.binning, columns[f.name])]
    return out


def scores(card: Scorecard, columns: Mapping[str, NDArray[Any]]) -> NDArray[np.float64]:
    """The score of every row (sum of hundredths / 100, exactly as the artifact scores one vector)."""
    total: NDArray[np.int64] = centipoint_matrix(card, columns).sum(axis=1)
    return total / 100


def feature_to_json(f: FeaturePoints) -> dict[str, Any]:
    doc = binning_.to_json(f.binning)
    doc["coefficient"] = f.coefficient
    doc["reference_points"] = f.reference
    for bin_doc, points in zip(doc["bins"], f.points, strict=True):
        bin_doc["points"] = points
    return doc


def feature_from_json(doc: Mapping[str, Any]) -> FeaturePoints:
    try:
        return FeaturePoints(binning_.from_json(doc), float(doc["coefficient"]),
                             tuple(float(b["points"]) for b in doc["bins"]), float(doc["reference_points"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ArtifactError(f"malformed feature in the artifact: {e!r}") from e
