"""Calibrated PD: a Platt (1-D logistic) mapping from score to probability of default.

The input is the score on the log-odds scale of the card, ``z = (score - offset) / factor``
(= ln odds good:bad as the card reads them), and::

    PD = 1 / (1 + exp(a + b · z))        (a = 0, b = 1 would be the card taken at its word)

``a`` and ``b`` are fitted on out-of-fold scores (each row scored by a card that did not see it),
so the mapping corrects the optimism of in-sample odds. Applied in :mod:`decimal` arithmetic
(correctly rounded, the same on every platform) and rounded to :data:`PD_DECIMALS` places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.errors import ArtifactError
from scoring.scorecard import Scaling

PD_DECIMALS = 6
_STEP = Decimal(1).scaleb(-PD_DECIMALS)
_FLOOR, _CEIL = _STEP, 1 - _STEP
_CTX = Context(prec=34)


@dataclass(frozen=True)
class Platt:
    a: float
    b: float
    factor: float
    offset: float

    def to_json(self) -> dict[str, Any]:
        return {"method": "platt", "input": "(score - offset) / factor", "formula": "1 / (1 + exp(a + b * z))",
                "a": self.a, "b": self.b, "factor": self.factor, "offset": self.offset}


def fit(scores: NDArray[np.float64], y: NDArray[np.int8], scaling: Scaling) -> Platt:
    """Fit a, b on (out-of-fold) scores and outcomes (1 = bad); near-unregularised."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # training only

    z = ((scores - scaling.offset) / scaling.factor).reshape(-1, 1)
    model = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000, tol=1e-10)
    model.fit(z, y)
    # sklearn fits logit P(bad) = c0 + c1 z, so a = -c0 and b = -c1
    return Platt(round(-float(model.intercept_[0]), 8), round(-float(model.coef_[0][0]), 8),
                 scaling.factor, scaling.offset)


def pd(platt: Platt, score: float) -> float:
    """The calibrated PD of one score, in decimal arithmetic, rounded to 6 places (the reference)."""
    z = _CTX.divide(_CTX.subtract(Decimal(score), Decimal(platt.offset)), Decimal(platt.factor))
    t = _CTX.add(Decimal(platt.a), _CTX.multiply(Decimal(platt.b), z))
    if abs(t) > 700:  # far beyond the 1e-6 steps: the PD is the floor or the ceiling
        return float(_FLOOR if t > 0 else _CEIL)
    p = _CTX.divide(1, _CTX.add(1, _CTX.exp(t)))
    return float(min(max(p.quantize(_STEP, context=_CTX), _FLOOR), _CEIL))


def pds(platt: Platt, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Vectorised float PD for evaluation (agrees with :func:`pd` to within one step of 1e-6)."""
    t = np.clip(platt.a + platt.b * (scores - platt.offset) / platt.factor, -700, 700)
    return np.clip(np.round(1 / (1 + np.exp(t)), PD_DECIMALS), float(_FLOOR), float(_CEIL))


def from_json(doc: Mapping[str, Any]) -> Platt:
    if doc.get("method") != "platt":
        raise ArtifactError(f"unknown calibration method {doc.get('method')!r}")
    try:
        return Platt(float(doc["a"]), float(doc["b"]), float(doc["factor"]), float(doc["offset"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ArtifactError(f"malformed calibration: {e!r}") from e
