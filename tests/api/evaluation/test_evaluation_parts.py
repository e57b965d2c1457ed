"""The evaluation's pure parts: the calendar a journal makes, nearest-rank percentiles, the model's quality
by quarter against scikit-learn, the exact tolerance test, the line charts' geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from api.evaluation.evaluation import Tolerance
from api.evaluation.latency import Percentiles, nearest_rank, percentiles
from api.evaluation.periods import ALL, SETUP, calendar, quarter
from api.evaluation.plots import lines
from api.evaluation.quality import defaulted, quarters
from api.pilot.journal import Step
from ledger.operating.figures import Ratio
from ledger.types import LoanStatus


def test_a_month_runs_from_its_earliest_step_until_the_next_month_and_setup_comes_first() -> None:
    days = calendar([Step("2024-02", "consent", 40, 45, 300, 310, 1, 0.1),
                     Step("2024-01", "ingestion", 10, 29, 100, 200, 1, 0.1),
                     Step("2024-01", "decisions", 30, 39, 200, 300, 1, 0.1)])
    assert days.labels == (SETUP, "2024-01", "2024-02")
    assert [days.of_block(b) for b in (0, 9, 10, 39, 40, 10_000)] == [SETUP, SETUP, "2024-01", "2024-01",
                                                                       "2024-02", "2024-02"]
    assert [days.of_log(i) for i in (99, 100, 299, 300)] == [SETUP, "2024-01", "2024-01", "2024-02"]
    assert days.block_ends() == ((SETUP, 10), ("2024-01", 40), ("2024-02", None))
    assert calendar([]).labels == (ALL,) and calendar([]).of_block(123) == ALL
    assert [quarter(p) for p in ("2024-01", "2024-03", "2024-04", "2025-12", SETUP, ALL)] == [
        "2024-Q1", "2024-Q1", "2024-Q2", "2025-Q4", SETUP, ALL]


def test_percentiles_are_observed_values_by_nearest_rank() -> None:
    values = list(range(10, 0, -1))  # 1..10, unsorted
    assert [nearest_rank(values, p) for p in (1, 10, 50, 51, 95, 100)] == [1, 1, 5, 6, 10, 10]
    assert nearest_rank([], 50) is None and percentiles([]).max is None
    assert percentiles([7, 3]) == Percentiles(count=2, p50=3, p95=7, max=7)


def test_the_tolerance_is_compared_exactly_and_undefined_without_outstanding() -> None:
    t = Tolerance(Ratio(1, 20), 500, on_chain=False)
    assert t.within() is True and t.within(Ratio(50_001, 1_000_000)) is False
    assert t.within(Ratio(0, 0)) is None


def decided(app: int, block: int, pd: int, approved: bool = True, score: int = 600) -> dict[str, Any]:
    return {"blockNumber": block, "args": {"applicationId": app, "pdPpm": pd, "score": score,
                                           "approved": approved}}


def test_quality_by_quarter_matches_scikit_learn_and_psi_runs_against_the_first_scored_quarter() -> None:
    rng = np.random.default_rng(3)
    events = [decided(i, 1 if i < 40 else 2, int(rng.integers(1_000, 200_000))) for i in range(80)]
    events.append(decided(99, 1, 0, approved=False, score=0))  # a refusal: not scored
    bad = defaulted([{"args": {"applicationId": i, "to": int(LoanStatus.DEFAULTED)}} for i in range(0, 80, 7)])
    lent = set(range(80))
    q1, q2 = quarters(events, lent, bad, lambda b: f"2024-Q{b}", ("2024-Q1", "2024-Q2"))
    first = [e for e in events if e["blockNumber"] == 1 and e["args"]["score"]]
    assert (q1.decisions, q1.scored, q1.loans) == (41, 40, 40) and q1.psi is None
    assert q1.auc == pytest.approx(roc_auc_score([int(e["args"]["applicationId"] in bad) for e in first],
                                                 [e["args"]["pdPpm"] for e in first]), abs=0)
    assert q2.psi is not None and q2.psi >= 0 and q2.ks is not None and 0 <= q2.ks <= 1
    none = quarters([decided(1, 1, 5_000)], {1}, set(), lambda b: "q", ("q",))[0]
    assert none.auc is None and none.ks is None  # one outcome only: no AUC, no KS


def test_a_line_breaks_where_a_value_is_missing_and_keeps_what_each_point_shows() -> None:
    plot = lines("k", "t", ["a", "b", "c", "d"], [("x", [1.0, None, 3.0, 4.0], ["1", "—", "3", "4"])])
    line = plot.lines[0]
    assert [p.shown for p in line.points] == ["1", "3", "4"]
    assert line.path.count("M") == 2 and line.path.count("L") == 1
    assert max(p.y for p in line.points) > min(p.y for p in line.points)  # 1 drawn lower than 4
    assert [label for _, label in plot.ticks] == ["a", "b", "c", "d"]
