"""The model in service, as the chain tells it (seeds R1, R10): how well the PDs it decided with
ranked the loans that went bad, and how stable they stayed, by quarter of decision; and each model's
life in the ModelRegistry. Pure; the statistics are ``scoring.evaluation``'s own.

- a decision's PD is the ``pdPpm`` of its ``Decided`` event; a decline with neither score nor PD (score 0
  and PD 0: the gate refused, or the enterprise is sanctioned, so nothing was scored; ``oracle.pipeline``)
  is not a scored decision;
- the outcome of a loan (a decided application that was ``Disbursed``) is 1 when it ever went DEFAULTED
  (a ``StatusChanged`` to DEFAULTED), else 0. Declined applications have no outcome: they were not lent;
- AUC (``scoring.evaluation.auc``) and KS, max(TPR - FPR) (``scoring.evaluation.roc``), of the loans decided
  in the quarter, with PD as the risk; None unless the quarter has loans of both outcomes;
- PSI (``scoring.evaluation.psi``: ten bins at the baseline's deciles) of the quarter's scored PDs against
  the first quarter that has any, the baseline (None for the baseline itself).

A loan decided late has had less time to default than one decided early, so a late quarter's AUC rests on
fewer bads; the figures say how many.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ledger.types import LoanStatus


@dataclass(frozen=True)
class Quality:
    quarter: str
    decisions: int
    scored: int
    approved: int
    loans: int
    defaults: int
    pd_ppm_sum: int
    """Of the scored decisions' PDs, so their mean is exact: ``pd_ppm_sum / scored``."""
    auc: float | None
    ks: float | None
    psi: float | None


@dataclass(frozen=True)
class ModelLife:
    model_id: str
    """0x + 64 hex (the SHA-256 of its artifact)."""
    registered: str | None
    approved: str | None
    retired: str | None
    """The period of each event, None if it has not happened."""
    decisions: int
    approvals: int


def _scored(e: Any) -> bool:
    return bool(int(e["args"]["score"]) or int(e["args"]["pdPpm"]))


def quarters(decided: Sequence[Any], disbursed: set[int], defaulted: set[int], quarter: Callable[[int], str],
             labels: Sequence[str]) -> tuple[Quality, ...]:
    """One :class:`Quality` per quarter in ``labels`` (in order), from the ``Decided`` events."""
    groups = {q: [e for e in decided if quarter(int(e["blockNumber"])) == q] for q in labels}
    first = next((q for q in labels if any(_scored(e) for e in groups[q])), None)
    baseline = None if first is None else np.array([float(e["args"]["pdPpm"]) for e in groups[first] if _scored(e)])
    return tuple(quality(q, groups[q], disbursed, defaulted, None if q == first else baseline) for q in labels)


def quality(label: str, decided: Sequence[Any], disbursed: set[int], defaulted: set[int],
            baseline: np.ndarray[Any, Any] | None) -> Quality:
    from scoring.evaluation import auc, psi, roc

    scored = [int(e["args"]["pdPpm"]) for e in decided if _scored(e)]
    loans = [(int(e["args"]["pdPpm"]), int(int(e["args"]["applicationId"]) in defaulted)) for e in decided
             if int(e["args"]["applicationId"]) in disbursed]
    y = np.array([bad for _, bad in loans], dtype=np.int8)
    risk = np.array([float(pd) for pd, _ in loans])
    both = len(set(y.tolist())) == 2
    stable = psi(baseline, np.array(scored, dtype=float)) if baseline is not None and scored else None
    return Quality(label, len(decided), len(scored), sum(bool(e["args"]["approved"]) for e in decided), len(loans),
                   int(y.sum()), sum(scored), auc(y, risk) if both else None,
                   float(roc(y, risk)["ks"]) if both else None, stable)


def defaulted(status_changed: Sequence[Any]) -> set[int]:
    return {int(e["args"]["applicationId"]) for e in status_changed if int(e["args"]["to"]) == LoanStatus.DEFAULTED}


def lives(registry: Sequence[Any], decided: Sequence[Any], period: Callable[[int], str]) -> tuple[ModelLife, ...]:
    """Each model registered, in order, with the period it was registered, approved and retired in."""
    when: dict[str, dict[str, str]] = {}
    for e in registry:
        model = "0x" + bytes(e["args"]["modelId"]).hex()
        when.setdefault(model, {}).setdefault(e["event"], period(int(e["blockNumber"])))
    return tuple(ModelLife(m, w.get("ModelRegistered"), w.get("ModelApproved"), w.get("ModelRetired"),
                           sum(1 for e in decided if "0x" + bytes(e["args"]["modelId"]).hex() == m),
                           sum(1 for e in decided if "0x" + bytes(e["args"]["modelId"]).hex() == m
                               and e["args"]["approved"]))
                 for m, w in when.items())
