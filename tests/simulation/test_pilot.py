"""The synthetic pilot: deterministic, schema-valid, and carrying the signal a credit model needs."""

from __future__ import annotations

import csv
import importlib.util
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from ledger.catalogue.schema import SCHEMAS, key, validate_row
from ledger.identifiers import uscc
from simulation import pilot
from simulation.defects import Defect, with_bad_rows
from simulation.errors import PilotError
from simulation.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def big() -> Pilot:
    return pilot.generate(2000, 36, seed=11)


@pytest.fixture(scope="module")
def small() -> Pilot:
    return pilot.generate(300, 24, seed=5, start="2024-07")


def test_same_seed_same_pilot_other_seed_other_pilot() -> None:
    a, b, c = pilot.generate(150, 12, seed=3), pilot.generate(150, 12, seed=3), pilot.generate(150, 12, seed=4)
    assert a == b
    assert a.records["tax"] != c.records["tax"]
    assert [e.credit_code for e in a.enterprises] != [e.credit_code for e in c.enterprises]


def test_every_row_passes_its_schema_in_field_order(small: Pilot) -> None:
    assert list(small.records) == list(SCHEMAS)
    for category, rows in small.records.items():
        assert rows, category
        for row in rows:
            assert tuple(row) == SCHEMAS[category].field_names
            assert validate_row(SCHEMAS[category], row)[1] == []
        assert len({key(r) for r in rows}) == len(rows), f"{category} repeats a (credit code, period)"
        assert [r["period"] for r in rows] == sorted(r["period"] for r in rows)


def test_periods_and_registration(small: Pilot) -> None:
    assert small.periods[0] == "2024-07" and small.periods[-1] == "2026-06" and len(small.periods) == 24
    registered = small.records["registration"]
    assert [r["credit_code"] for r in registered] == [e.credit_code for e in small.enterprises]
    assert {r["period"] for r in registered} == {"2024-07"}


def test_codes_and_names_are_unique_and_valid(big: Pilot) -> None:
    codes = [e.credit_code for e in big.enterprises]
    assert len(set(codes)) == len(codes) and all(uscc.is_valid(c) for c in codes)
    for code, e in zip(codes, big.enterprises, strict=True):
        assert code[2:8] == e.district and e.district in uscc.CHONGQING_DISTRICTS
    assert len({e.name for e in big.enterprises}) == len(codes)


def test_default_rate_and_observation_window(big: Pilot) -> None:
    rate = sum(o.defaulted for o in big.outcomes) / len(big.outcomes)
    assert 0.05 <= rate <= 0.10
    first = pilot._month_start(big.periods[0], 0)
    for o in big.outcomes:
        assert first + timedelta(days=360) <= o.observation_date <= first + timedelta(days=2 * 366)
        assert (o.default_period is None) == (o.defaulted == 0)
        if o.default_period:
            months = (int(o.default_period[:4]) - o.observation_date.year) * 12 + int(o.default_period[5:])
            assert 1 <= months - o.observation_date.month + 1 <= 12


def _by_enterprise(p: Pilot, category: str, field: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in p.records[category]:
        out.setdefault(str(r["credit_code"]), {})[str(r["period"])] = float(r[field])
    return out


def test_defaulters_were_already_weaker(big: Pilot) -> None:
    """Sales growth over the year before observation, and tax paid per yuan, are lower for defaulters."""
    sales, tax = _by_enterprise(big, "tax", "invoiced_sales"), _by_enterprise(big, "tax", "tax_paid")
    growth: dict[int, list[float]] = {0: [], 1: []}
    ratio: dict[int, list[float]] = {0: [], 1: []}
    for o in big.outcomes:
        last = f"{o.observation_date - timedelta(days=1):%Y-%m}"
        year_before = f"{int(last[:4]) - 1:04d}{last[4:]}"
        mine = sales.get(o.credit_code, {})
        if last in mine and year_before in mine:
            growth[o.defaulted].append(np.log1p(mine[last]) - np.log1p(mine[year_before]))
        if last in mine:
            ratio[o.defaulted].append(tax[o.credit_code][last] / mine[last])
    assert np.mean(growth[1]) < np.mean(growth[0]) - 0.1
    assert np.mean(ratio[1]) < np.mean(ratio[0])


def test_trouble_shows_in_penalties_and_courts(big: Pilot) -> None:
    defaulted = {o.credit_code for o in big.outcomes if o.defaulted}
    for category in ("administrative_penalties", "courts"):
        hit = {r["credit_code"] for r in big.records[category]}
        share_defaulted = len(hit & defaulted) / len(defaulted)
        share_others = len(hit - defaulted) / (len(big.enterprises) - len(defaulted))
        assert share_defaulted > 1.5 * share_others, category


def test_industries_shape_who_appears_where(big: Pilot) -> None:
    industry: dict[str, str] = {e.credit_code: e.industry for e in big.enterprises}
    count = Counter(industry.values())

    def share(category: str, section: str) -> float:
        return len({r["credit_code"] for r in big.records[category] if industry[str(r["credit_code"])] == section}) \
            / count[section]

    assert share("ip", "I") > 0.5 > 0.1 > share("ip", "H")
    assert share("customs", "F") > 0.05 and share("customs", "H") == 0
    assert share("gas", "H") > 0.7 > 0.1 > share("gas", "I")
    assert share("tax", "C") > 0.95 and share("electricity", "C") > 0.9


def test_new_year_dip_for_manufacturing(big: Pilot) -> None:
    makers = {e.credit_code for e in big.enterprises if e.industry == "C"}
    by_period: dict[str, list[float]] = {}
    for r in big.records["tax"]:
        if r["credit_code"] in makers:
            by_period.setdefault(str(r["period"]), []).append(np.log(float(r["invoiced_sales"])))
    # The Spring Festival fell on 22 January 2023 and 10 February 2024.
    assert np.mean(by_period["2023-01"]) < np.mean(by_period["2023-03"]) - 0.2
    assert np.mean(by_period["2024-02"]) < np.mean(by_period["2024-04"]) - 0.2


def test_arrivals_one_per_period_courts_and_customs_late(small: Pilot) -> None:
    assert set(small.arrivals) == set(SCHEMAS)
    for category, deliveries in small.arrivals.items():
        expected = small.periods[:1] if category == "registration" else small.periods
        assert tuple(d.period for d in deliveries) == expected
        for d in deliveries:
            assert d.lag_days >= 1
            assert d.delivered == pilot._month_start(d.period, 1) - timedelta(days=1) + timedelta(days=d.lag_days)
    mean = {c: np.mean([d.lag_days for d in ds]) for c, ds in small.arrivals.items()}
    assert mean["courts"] > mean["customs"] > mean["tax"] > mean["electricity"]


def test_bad_rows_are_labelled_and_caught(small: Pilot) -> None:
    rows = small.records["tax"]
    bad_rows, labels = with_bad_rows(rows, 40, np.random.default_rng(2))
    assert len(bad_rows) == len(rows) and len(labels) == 40
    assert {b.defect for b in labels} == set(Defect)
    touched = {b.index for b in labels}
    assert all(bad_rows[i] == rows[i] for i in range(len(rows)) if i not in touched)
    for b in labels:
        reasons = validate_row(SCHEMAS["tax"], bad_rows[b.index])[1]
        if b.defect is Defect.DUPLICATE:
            source = int(b.detail)
            assert source < b.index and reasons == [] and key(bad_rows[b.index]) == key(bad_rows[source])
        else:
            expected = {Defect.BAD_CHECK_CHARACTER: "bad credit code", Defect.NEGATIVE_VALUE: "out of range",
                        Defect.MISSING_FIELD: "missing field"}[b.defect]
            assert len(reasons) == 1 and reasons[0].startswith(expected) and b.detail in reasons[0]
    assert rows == small.records["tax"], "the input is left alone"
    with pytest.raises(PilotError):
        with_bad_rows(rows[:3], 3, np.random.default_rng(2))


def test_refuses_an_empty_pilot_or_a_bad_start() -> None:
    with pytest.raises(PilotError):
        pilot.generate(0)
    with pytest.raises(PilotError, match="YYYY-MM"):
        pilot.generate(5, start="2024-13")


def test_a_thousand_enterprises_for_three_years_is_quick() -> None:
    started = time.perf_counter()
    made = pilot.generate(1000, 36, seed=1)
    assert time.perf_counter() - started < 3.0
    assert len(made.enterprises) == 1000


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_pilot", ROOT / "scripts" / "generate_pilot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_writes_one_csv_per_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--enterprises", "40", "--months", "6", "--seed", "2", "--out", str(tmp_path)]) == 0
    made = pilot.generate(40, 6, seed=2)
    for category, s in SCHEMAS.items():
        with (tmp_path / f"{category}.csv").open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
        assert tuple(reader.fieldnames or ()) == s.field_names
        assert len(rows) == len(made.records[category])
        assert all(validate_row(s, r)[1] == [] for r in rows)
    with (tmp_path / "outcomes.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 40
    assert (tmp_path / "enterprises.csv").read_text(encoding="utf-8").startswith("credit_code,name,industry")
    assert "generated in" in capsys.readouterr().out
