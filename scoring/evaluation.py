"""Model evaluation: discrimination, calibration, stability and the score bands a policy cuts.

Every ``risk`` argument is "higher = more likely bad" (a PD, or minus a score); ``y`` is 1 = bad.

- AUC (area under the ROC curve), Gini = 2·AUC - 1, KS = max (TPR - FPR)
- Brier = mean (PD - y)²
- PSI = Σ (a - e) · ln(a / e) over 10 bins cut at the development scores' deciles, e and a the
  development and later shares (each floored at 1e-4 so an empty bin stays finite); CSI is the same
  on each card feature's bin shares. Rule of thumb: < 0.1 stable, 0.1-0.25 watch, > 0.25 shifted.
- Bands: 10 bands at the evaluated scores' deciles; for each, its bad rate, and the approval rate
  and approved bad rate if the cut-off were the band's lower edge (approve every score ≥ it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score, roc_curve  # type: ignore[import-untyped]

from scoring import binning as binning_
from scoring.scorecard import Scorecard

Floats = NDArray[np.float64]
Ints = NDArray[np.int8]
SHARE_FLOOR = 1e-4


def _r(x: float) -> float:
    return round(float(x), 6)


def auc(y: Ints, risk: Floats) -> float:
    return float(roc_auc_score(y, risk))


def roc(y: Ints, risk: Floats, points: int = 101) -> dict[str, Any]:
    """The ROC curve, thinned to at most ``points`` points, with KS."""
    fpr, tpr, _ = roc_curve(y, risk)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(points, len(fpr))).round().astype(int))
    return {"fpr": [_r(v) for v in fpr[keep]], "tpr": [_r(v) for v in tpr[keep]], "ks": _r(np.max(tpr - fpr))}


def brier(y: Ints, pd: Floats) -> float:
    return float(np.mean((pd - y) ** 2))


def psi_shares(expected: Floats, actual: Floats) -> float:
    e = np.maximum(expected, SHARE_FLOOR)
    a = np.maximum(actual, SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(idx: NDArray[np.int64], k: int) -> Floats:
    return np.bincount(idx, minlength=k).astype(np.float64) / max(len(idx), 1)


def psi(development: Floats, later: Floats, bins: int = 10) -> float:
    """Population stability of the score between development and a later window."""
    edges = np.unique(np.quantile(development, np.linspace(0, 1, bins + 1)[1:-1]))
    k = len(edges) + 1
    return psi_shares(
        _shares(np.searchsorted(edges, development, side="right"), k),
        _shares(np.searchsorted(edges, later, side="right"), k),
    )


def csi(
    card: Scorecard, development: Mapping[str, NDArray[Any]], later: Mapping[str, NDArray[Any]]
) -> dict[str, float]:
    """Characteristic stability: PSI of each card feature's bin shares."""
    out: dict[str, float] = {}
    for f in card.features:
        k = len(f.binning.bins)
        dev = _shares(binning_.indices(f.binning, development[f.name]), k)
        out[f.name] = _r(psi_shares(dev, _shares(binning_.indices(f.binning, later[f.name]), k)))
    return out


def bands(scores: Floats, y: Ints, n: int = 10) -> list[dict[str, Any]]:
    """Score bands (ascending) with bad rates and the approval trade-off at each lower edge."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, n + 1)[1:-1]))
    band = np.searchsorted(edges, scores, side="right")
    lows = [float(scores.min()), *edges.tolist()]
    highs = [*edges.tolist(), float(scores.max())]
    rows = []
    for i, (low, high) in enumerate(zip(lows, highs, strict=True)):
        inside, approved = band == i, scores >= low
        rows.append({
            "low": _r(low), "high": _r(high), "rows": int(inside.sum()), "bads": int(y[inside].sum()),
            "bad_rate": _r(y[inside].mean()) if inside.any() else None,
            "approval_rate": _r(approved.mean()), "approved_bad_rate": _r(y[approved].mean()),
        })
    return rows


def calibration_table(pd: Floats, y: Ints, n: int = 10) -> list[dict[str, Any]]:
    """Mean predicted PD against the observed bad rate, in deciles of the predicted PD."""
    order = np.argsort(pd, kind="stable")
    return [
        {"rows": len(part), "predicted": _r(pd[part].mean()), "observed": _r(y[part].mean())}
        for part in np.array_split(order, n) if len(part)
    ]


def histogram(scores: Floats, y: Ints, n: int = 20) -> dict[str, Any]:
    """Score histogram (equal widths), goods and bads counted apart."""
    edges = np.linspace(float(scores.min()), float(scores.max()) + 1e-9, n + 1)
    goods, _ = np.histogram(scores[y == 0], bins=edges)
    bads, _ = np.histogram(scores[y == 1], bins=edges)
    return {"edges": [_r(e) for e in edges], "goods": goods.tolist(), "bads": bads.tolist()}


def evaluate(
    *, scores: Floats, pd: Floats, y: Ints, challenger_pd: Floats | None, sample: str,
    development_scores: Floats | None = None, csi_by_feature: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Everything above for one sample (the OOT window, or the development data itself); without a
    challenger (it could not be fitted) its figures are null."""
    champion_auc = auc(y, -scores)
    curve = roc(y, -scores)
    challenger_auc = None if challenger_pd is None else _r(auc(y, challenger_pd))
    return {
        "sample": sample, "rows": len(y), "bads": int(y.sum()), "bad_rate": _r(y.mean()),
        "auc": _r(champion_auc), "gini": _r(2 * champion_auc - 1), "ks": curve["ks"], "brier": _r(brier(y, pd)),
        "mean_pd": _r(pd.mean()),
        "champion_vs_challenger": {
            "champion_auc": _r(champion_auc), "challenger_auc": challenger_auc,
            "difference": None if challenger_auc is None else _r(challenger_auc - champion_auc)},
        "psi": None if development_scores is None else _r(psi(development_scores, scores)),
        "csi": dict(csi_by_feature or {}),
        "roc": {"fpr": curve["fpr"], "tpr": curve["tpr"]},
        "calibration": calibration_table(pd, y), "bands": bands(scores, y), "histogram": histogram(scores, y),
    }
