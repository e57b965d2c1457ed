"""The challenger: scikit-learn's histogram gradient boosting on the raw columns.

It is there to tell how much a flexible model would gain over the scorecard: only its metrics
go in the report. It is never serialised into the artifact and never decides anything.
Deterministic: fixed ``random_state``, early stopping off, columns in name order, categories
ordinal-encoded with a fixed mapping (sorted category names of the training rows; unseen and
missing values → NaN, the model's missing branch). Monotone constraints follow the declared
directions; scikit-learn's +1 means "increases P(bad)", so its constraint is minus ours.

Robust by design: a column with fewer than two distinct values (all missing, or one value) tells
a tree nothing and makes scikit-learn's binning fail, so it is left out; the trainer treats any
failure here as "no challenger figures" (:func:`scoring.trainer.train` notes why), never as a
failed training.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]

from scoring.dataset import Dataset
from scoring.errors import TrainingError

MAX_CATEGORIES = 250  # HistGradientBoosting's limit is max_bins (255); rarer ones share one code


@dataclass(frozen=True)
class ChallengerRules:
    max_iter: int = 150
    learning_rate: float = 0.08
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0


@dataclass(frozen=True)
class Challenger:
    model: Any  # a fitted HistGradientBoostingClassifier (scikit-learn has no type stubs)
    names: tuple[str, ...]
    codes: Mapping[str, Mapping[str, int]]  # categorical column → category → ordinal code


def _codes(data: Dataset) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in data.names:
        if data.kinds[name] == "categorical":
            present = Counter(v for v in data.columns[name].tolist() if v is not None)
            frequent = sorted(present.items(), key=lambda p: (-p[1], p[0]))[:MAX_CATEGORIES]
            kept = sorted(str(v) for v, _ in frequent)
            out[name] = {c: i for i, c in enumerate(kept)}
    return out


def encode(data: Dataset, names: tuple[str, ...], codes: Mapping[str, Mapping[str, int]]) -> NDArray[np.float64]:
    """rows x columns float matrix: numeric as is, categorical as codes (NaN when missing or unseen)."""
    out = np.empty((data.rows, len(names)), dtype=np.float64)
    for j, name in enumerate(names):
        column = data.columns[name]
        if name in codes:
            lookup = codes[name]
            out[:, j] = [lookup.get(v, math.nan) if v is not None else math.nan for v in column.tolist()]
        else:
            out[:, j] = column
    return out


def varies(column: NDArray[Any]) -> bool:
    """True when the column holds at least two distinct non-missing values."""
    if column.dtype == np.float64:
        return len(np.unique(column[~np.isnan(column)])) > 1
    return len({v for v in column.tolist() if v is not None}) > 1


def fit(data: Dataset, seed: int, rules: ChallengerRules = ChallengerRules()) -> Challenger:
    names = tuple(n for n in data.names if varies(data.columns[n]))
    if not names:
        raise TrainingError("the challenger needs a column with at least two distinct values")
    codes = {n: c for n, c in _codes(data).items() if n in names}
    model = HistGradientBoostingClassifier(
        learning_rate=rules.learning_rate, max_iter=rules.max_iter, max_leaf_nodes=rules.max_leaf_nodes,
        min_samples_leaf=rules.min_samples_leaf, l2_regularization=rules.l2_regularization,
        categorical_features=[name in codes for name in names],
        monotonic_cst=[-data.direction(name) for name in names],
        early_stopping=False, random_state=seed,
    )
    model.fit(encode(data, names, codes), data.target)
    return Challenger(model, names, codes)


def predict(challenger: Challenger, data: Dataset) -> NDArray[np.float64]:
    """P(bad) for every row."""
    proba = challenger.model.predict_proba(encode(data, challenger.names, challenger.codes))
    return np.asarray(proba[:, 1], dtype=np.float64)
