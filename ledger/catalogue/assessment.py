"""Data-aggregation assessment of each department (数据汇集考核, seeds R10).

- timeliness: mean lag in days from the end of a period to the first arrival of its data;
- completeness: share of expected enterprise-months present after validation, expecting
  every enterprise a dataset covers in every period seen (a gas utility reports its own
  customers); for event datasets (customs, penalties, courts: rows only when something
  happened) the share of periods delivered, and for the registration snapshot the share of
  the enterprises known to any department that it covers;
- accuracy: share of received rows that passed validation.

Counts only: the assessment never reads record content.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.catalogue.schema import SCHEMAS
from ledger.catalogue.store import SupplyStats


@dataclass(frozen=True)
class DepartmentAssessment:
    department: str
    timeliness: float
    """Mean lag in days from period end to arrival (lower is better)."""
    completeness: float
    accuracy: float
    rows_received: int
    rows_stored: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def period_end(period: str) -> datetime:
    year, month = (int(p) for p in period.split("-"))
    return datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=UTC)


def lag_days(period: str, arrived: str) -> float:
    at = datetime.fromisoformat(arrived)
    return max(0.0, (at - period_end(period)).total_seconds() / 86_400)


EVENT_DATASETS = frozenset({"customs", "administrative_penalties", "courts"})
"""Rows only for months with trade or a case: completeness is the share of periods delivered."""
SNAPSHOT_DATASETS = frozenset({"registration"})
"""One row per enterprise: completeness is the share of known enterprises covered."""


def assess(stats: SupplyStats) -> list[DepartmentAssessment]:
    """One assessment per department, its datasets pooled (market supervision sends two)."""
    rows = stats.rows()
    enterprises, periods, stored = stats.coverage()
    arrivals = stats.arrivals()
    by_department: dict[str, list[str]] = {}
    for dataset in sorted(rows):
        by_department.setdefault(SCHEMAS[dataset].department, []).append(dataset)
    out = []
    for department, datasets in sorted(by_department.items()):
        received = sum(rows[d][0] for d in datasets)
        kept = sum(rows[d][1] for d in datasets)
        lags = [lag_days(p, t) for d in datasets for p, t in arrivals.get(d, [])]
        shares = [_completeness(d, enterprises, periods, stored, arrivals) for d in datasets]
        out.append(DepartmentAssessment(
            department=department,
            timeliness=round(sum(lags) / len(lags), 2) if lags else float("nan"),
            completeness=round(sum(shares) / len(shares), 4),
            accuracy=round(kept / received, 4) if received else 0.0,
            rows_received=received,
            rows_stored=kept,
        ))
    return out


def _completeness(dataset: str, enterprises: int, periods: set[str], stored: dict[str, tuple[int, int]],
                  arrivals: dict[str, list[tuple[str, str]]]) -> float:
    if dataset in EVENT_DATASETS:
        return len(arrivals.get(dataset, [])) / len(periods) if periods else 0.0
    count, covered = stored.get(dataset, (0, 0))
    if dataset in SNAPSHOT_DATASETS:
        return min(1.0, count / enterprises) if enterprises else 0.0
    expected = covered * len(periods)  # a utility is expected to report its own customers, every month
    return min(1.0, count / expected) if expected else 0.0
