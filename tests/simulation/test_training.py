"""The pilot as a training table: the fast build agrees with per-enterprise extraction, leaks nothing, separates."""

from __future__ import annotations

import dataclasses
import time
from datetime import date

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from scoring.errors import FeatureError
from scoring.features import FEATURES, NAMES, extract, month_index
from simulation import pilot
from simulation.pilot import Pilot, Row
from simulation.training import PilotTable, arrived_by, build, by_enterprise


@pytest.fixture(scope="module")
def world() -> Pilot:
    return pilot.generate(3000, seed=7)


@pytest.fixture(scope="module")
def table(world: Pilot) -> PilotTable:
    return build(world)


def as_of(world: Pilot) -> dict[str, date]:
    return {o.credit_code: o.observation_date for o in world.outcomes}


def test_one_row_per_enterprise_at_its_observation_period(world: Pilot, table: PilotTable) -> None:
    assert len(table.rows) == len(world.enterprises) == len(table.target)
    assert table.credit_codes == [e.credit_code for e in world.enterprises]
    assert table.sizes == [e.size for e in world.enterprises]
    when = as_of(world)
    assert table.observed == [f"{when[c]:%Y-%m}" for c in table.credit_codes]
    assert table.target.dtype == np.int8 and 0.05 < table.target.mean() < 0.11
    assert table.target.tolist() == [o.defaulted for o in world.outcomes]


def test_the_fast_build_equals_extracting_each_enterprise(world: Pilot, table: PilotTable) -> None:
    rows, when = by_enterprise(world), as_of(world)
    for i in range(0, len(table.rows), 10):
        code = table.credit_codes[i]
        arrived = arrived_by(world.arrivals, when[code])
        assert table.rows[i] == extract(rows[code], table.observed[i], arrived=arrived), code


def _perturbed(world: Pilot, table: PilotTable, hit: str) -> Pilot:
    """``world`` with every numeric value changed in the rows ``hit`` selects: "later" (at or after the
    enterprise's as-of period), "undelivered" (before it, but delivered on or after the as-of date) or
    "readable" (neither), and, for "later", a new court case every month from the as-of period on."""
    end = dict(zip(table.credit_codes, table.observed, strict=True))
    when = as_of(world)
    delivered = {c: {d.period: d.delivered for d in ds} for c, ds in world.arrivals.items()}

    def chosen(category: str, row: Row) -> bool:
        code, period = str(row["credit_code"]), str(row["period"])
        late = delivered[category][period] >= when[code]
        kind = "later" if period >= end[code] else "undelivered" if late else "readable"
        return kind == hit

    def changed(row: Row) -> Row:
        return {k: v * 3 + 1 if isinstance(v, int | float) and k != "period" else v for k, v in row.items()}

    records = {c: [changed(r) if chosen(c, r) else r for r in rows] for c, rows in world.records.items()}
    if hit == "later":
        courts = {(r["credit_code"], r["period"]) for r in records["courts"]}
        records["courts"] = records["courts"] + [
            {"credit_code": code, "period": p, "enforcement_cases": 4, "amount": 1e6}
            for code in table.credit_codes for p in world.periods if p >= end[code] and (code, p) not in courts]
    return dataclasses.replace(world, records=records)


@pytest.mark.parametrize("hit", ["later", "undelivered"])
def test_no_feature_reads_later_or_undelivered_data(world: Pilot, table: PilotTable, hit: str) -> None:
    again = build(_perturbed(world, table, hit))
    assert again.rows == table.rows


def test_readable_data_does_move_the_features(world: Pilot, table: PilotTable) -> None:
    again = build(_perturbed(world, table, "readable"))
    moved = sum(a != b for a, b in zip(again.rows, table.rows, strict=True))
    assert moved > 0.95 * len(table.rows)


def test_delivery_lags_hide_the_latest_months(world: Pilot, table: PilotTable) -> None:
    eager = build(world, lags=False).to_columns()
    cols = table.to_columns()
    assert eager["tax_months"].mean() > cols["tax_months"].mean() + 0.5  # tax arrives ~17 days after the month


def test_as_of_after_the_last_period(world: Pilot) -> None:
    book = build(world, as_of_from_outcome=False)
    assert set(book.observed) == {"2026-01"}
    assert book.to_columns()["tax_months"].mean() > 9


def test_columns_and_metadata(table: PilotTable) -> None:
    cols = table.to_columns()
    assert list(cols) == list(NAMES)
    for spec in FEATURES:
        assert cols[spec.name].dtype == (np.float64 if spec.kind == "numeric" else np.object_)
        assert table.kinds[spec.name] == spec.kind and table.monotone[spec.name] == spec.monotone
        assert table.descriptions[spec.name] == spec.description
    assert set(cols["industry"]) <= {"C", "F", "I", "E", "H", "G", "L"}
    assert np.isnan(cols["patents"]).mean() > 0.5  # most hold no IP: missing, not 0
    assert not np.isnan(cols["penalties_12m"]).any()  # an event dataset: no row is no penalty
    mask = table.oot_mask("2024-09")
    assert mask.dtype == np.bool_ and mask.tolist() == [p >= "2024-09" for p in table.observed]
    dataset = table.to_dataset()
    assert dataset.rows == len(table.rows) and dataset.direction("penalties_12m") == -1


def test_logistic_regression_separates_defaulters_out_of_time(table: PilotTable) -> None:
    cols = table.to_columns()
    numeric = [cols[s.name] for s in FEATURES if s.kind == "numeric"]
    industry = [(cols["industry"] == k).astype(np.float64) for k in sorted(set(cols["industry"]))[1:]]
    x = np.column_stack(numeric + industry)
    train = ~table.oot_mask("2024-09")
    x = np.where(np.isnan(x), np.nanmedian(x[train], axis=0), x)
    x = (x - x[train].mean(axis=0)) / x[train].std(axis=0)
    model = LogisticRegression(max_iter=2000).fit(x[train], table.target[train])
    auc = roc_auc_score(table.target[~train], model.predict_proba(x[~train])[:, 1])
    assert auc > 0.7, auc


def test_an_enterprise_without_an_outcome_is_refused(world: Pilot) -> None:
    with pytest.raises(FeatureError, match="no outcome"):
        build(dataclasses.replace(world, outcomes=world.outcomes[1:]))


def test_ten_thousand_enterprises_build_in_a_few_seconds() -> None:
    big = pilot.generate(10_000, seed=3)
    start = time.perf_counter()
    table = build(big)
    elapsed = time.perf_counter() - start
    assert len(table.rows) == 10_000 and elapsed < 5, elapsed
    assert month_index(min(table.observed)) > month_index(big.periods[0])
