"""Features: each one checked against a slow, obvious reference; no leakage; explicit missing; stable bytes."""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import FeatureError
from scoring.features import FEATURES, INDUSTRY_TAX_BURDEN, NAMES, extract, month_index
from scoring.vector import FeatureVector, canonical, from_canonical, vector_hash

CODE = "91500000MA5U000000"
AS_OF = "2025-03"
END = month_index(AS_OF)
Rows = dict[str, list[dict[str, Any]]]

FIELDS = {  # category → fields and whether they are counts (ints)
    "tax": (("invoiced_sales", False), ("tax_paid", False)), "social_security": (("insured_headcount", True),),
    "electricity": (("kwh", False),), "water": (("m3", False),), "gas": (("m3", False),),
    "customs": (("imports", False), ("exports", False)), "ip": (("patents", True), ("trademarks", True)),
    "administrative_penalties": (("penalties", True), ("fines", False)),
    "courts": (("enforcement_cases", True), ("amount", False)),
}


def period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def registration(at: str = "2023-01", established: str = "2015-06-30", capital: float = 3e6) -> dict[str, Any]:
    return {"credit_code": CODE, "period": at, "enterprise_name": "重庆恒瑞机械有限公司", "registered_capital": capital,
            "established": established, "industry": "C"}


@st.composite
def records(draw: st.DrawFn, later: bool = True) -> Rows:
    """One enterprise's rows: months from 16 before ``AS_OF`` to 3 after it (``later``), some missing."""
    out: Rows = {}
    last = END + (3 if later else -1)
    for category, fields in FIELDS.items():
        months = draw(st.sets(st.integers(END - 16, last), max_size=20))
        out[category] = [
            {"credit_code": CODE, "period": period(m),
             **{f: draw(st.integers(0, 500) if count else st.one_of(st.just(0.0), st.floats(0.01, 1e7)))
                for f, count in fields}}
            for m in sorted(months)
        ]
    if draw(st.booleans()):
        out["registration"] = [registration(capital=draw(st.floats(0, 1e8)))]
    return out


def reference(rows: Rows, as_of: str) -> dict[str, Any]:
    """Every feature computed the slow, obvious way."""
    end = month_index(as_of)

    def window(category: str, field: str) -> dict[int, float]:
        return {month_index(r["period"]) - end + 12: float(r[field]) for r in rows.get(category, [])
                if 0 <= month_index(r["period"]) - end + 12 < 12}

    def mean(values: list[float], least: int = 1) -> float | None:
        return sum(values) / len(values) if len(values) >= least else None

    def level(w: dict[int, float]) -> float | None:
        m = mean(list(w.values()))
        return None if m is None else math.log(1 + m)

    def growth(w: dict[int, float]) -> float | None:
        recent, before = mean([v for k, v in w.items() if k >= 6], 3), mean([v for k, v in w.items() if k < 6], 3)
        return None if recent is None or before is None else math.log((1 + recent) / (1 + before))

    def cv(w: dict[int, float]) -> float | None:
        m = mean(list(w.values()), 6)
        return None if m is None or m <= 0 else statistics.pstdev(w.values()) / m

    def latest(w: dict[int, float]) -> float | None:
        return w[max(w)] if w else None

    sales, tax = window("tax", "invoiced_sales"), window("tax", "tax_paid")
    heads, kwh = window("social_security", "insured_headcount"), window("electricity", "kwh")
    imports, exports = window("customs", "imports"), window("customs", "exports")
    trade = {k: imports.get(k, 0) + exports.get(k, 0) for k in set(imports) | set(exports)}
    present = sum(bool(window(c, FIELDS[c][0][0])) for c in ("tax", "social_security", "electricity", "water", "gas",
                                                           "ip"))
    reg = [r for r in rows.get("registration", []) if month_index(r["period"]) < end]
    out = {
        "sales_level": level(sales), "sales_growth": growth(sales), "sales_volatility": cv(sales),
        "tax_level": level(tax), "tax_growth": growth(tax), "tax_volatility": cv(tax),
        "tax_burden": None,
        "tax_months": len(sales), "headcount_level": None if not heads else math.log(1 + heads[max(heads)]),
        "headcount_growth": growth(heads), "social_security_months": len(heads),
        "electricity_trend": growth(kwh), "electricity_volatility": cv(kwh), "electricity_months": len(kwh),
        "trade_months": sum(v > 0 for v in trade.values()), "trade_level": math.log(1 + sum(trade.values())),
        "patents": latest(window("ip", "patents")), "trademarks": latest(window("ip", "trademarks")),
        "penalties_12m": sum(window("administrative_penalties", "penalties").values()),
        "enforcement_cases_12m": sum(window("courts", "enforcement_cases").values()),
        "datasets_present": present + bool(reg), "years_established": None, "registered_capital": None,
        "industry": None,
    }
    if reg:
        r = reg[-1]
        first_day = date(end // 12, end % 12 + 1, 1)
        out["years_established"] = (first_day - date.fromisoformat(r["established"])).days / 365.25
        out["registered_capital"], out["industry"] = math.log1p(r["registered_capital"]), r["industry"]
    norm = INDUSTRY_TAX_BURDEN.get(str(out["industry"]))
    if sum(sales.values()) > 0 and norm is not None:
        out["tax_burden"] = sum(tax.values()) / sum(sales.values()) / norm
    return out


def assert_matches(vector: FeatureVector, expected: Mapping[str, Any]) -> None:
    assert list(vector) == list(NAMES)
    for name in NAMES:
        got, want = vector[name], expected[name]
        if want is None or isinstance(want, str):
            assert got == want, name
        else:
            assert isinstance(got, float) and got == pytest.approx(want, rel=1e-5, abs=1e-9), name


@settings(max_examples=150, deadline=None)
@given(records())
def test_every_feature_matches_the_slow_reference(rows: Rows) -> None:
    assert_matches(extract(rows, AS_OF), reference(rows, AS_OF))


@settings(max_examples=60, deadline=None)
@given(records(later=False), records())
def test_rows_at_or_after_the_as_of_period_change_nothing(before: Rows, noise: Rows) -> None:
    later = {c: [r for r in rows if r["period"] >= AS_OF] for c, rows in noise.items()}
    merged = {c: before.get(c, []) + later.get(c, []) for c in set(before) | set(later)}
    merged["registration"] = [*before.get("registration", []), registration(at=AS_OF, capital=1.0)]
    assert extract(merged, AS_OF) == extract(before, AS_OF)


@settings(max_examples=40, deadline=None)
@given(records(), st.data())
def test_periods_not_yet_delivered_read_as_missing(rows: Rows, data: st.DataObject) -> None:
    periods = sorted({r["period"] for rs in rows.values() for r in rs})
    arrived = {c: frozenset(data.draw(st.sets(st.sampled_from(periods))) if periods else ()) for c in rows}
    delivered = {c: [r for r in rs if r["period"] in arrived[c]] for c, rs in rows.items()}
    assert extract(rows, AS_OF, arrived=arrived) == extract(delivered, AS_OF)


def monthly(category: str, values: Mapping[int, Mapping[str, float]]) -> list[dict[str, Any]]:
    """Rows of ``category`` at months before AS_OF (1 = the month just before)."""
    ordered = sorted(values.items(), reverse=True)
    return [{"credit_code": CODE, "period": period(END - back), **v} for back, v in ordered]


def test_a_worked_example() -> None:
    sales = {back: {"invoiced_sales": 200.0 if back <= 6 else 100.0, "tax_paid": 4.0} for back in range(1, 13)}
    rows = {"tax": monthly("tax", sales), "registration": [registration()],
            "courts": monthly("courts", {3: {"enforcement_cases": 2, "amount": 5e4}, 13: {"enforcement_cases": 9}})}
    v = extract(rows, AS_OF)
    assert v["sales_level"] == pytest.approx(math.log(151), rel=1e-5)
    assert v["sales_growth"] == pytest.approx(math.log(201 / 101), rel=1e-5)
    assert v["sales_volatility"] == pytest.approx(50 / 150, rel=1e-5)
    assert v["tax_growth"] == 0.0 and v["tax_volatility"] == 0.0
    assert v["tax_burden"] == pytest.approx(4 / 150 / INDUSTRY_TAX_BURDEN["C"], rel=1e-5)
    assert v["tax_months"] == 12.0 and v["enforcement_cases_12m"] == 2.0  # the case 13 months back is outside
    assert v["years_established"] == pytest.approx((date(2025, 3, 1) - date(2015, 6, 30)).days / 365.25, rel=1e-5)
    assert v["industry"] == "C" and v["datasets_present"] == 2.0


def test_missing_is_none_except_for_event_datasets() -> None:
    v = extract({}, AS_OF)
    numeric_zero = {"tax_months", "social_security_months", "electricity_months", "trade_months", "trade_level",
                    "penalties_12m", "enforcement_cases_12m", "datasets_present"}
    assert {n for n in NAMES if v[n] is not None} == numeric_zero
    assert all(v[n] == 0.0 for n in numeric_zero)
    two = extract({"tax": monthly("tax", {1: {"invoiced_sales": 5.0, "tax_paid": 1.0},
                                          7: {"invoiced_sales": 5.0, "tax_paid": 1.0}})}, AS_OF)
    assert two["sales_level"] is not None and two["sales_growth"] is None and two["sales_volatility"] is None


def test_zero_sales_give_no_ratio_or_volatility() -> None:
    rows = {"tax": monthly("tax", {b: {"invoiced_sales": 0.0, "tax_paid": 0.0} for b in range(1, 13)})}
    v = extract(rows, AS_OF)
    assert v["sales_level"] == 0.0 and v["sales_growth"] == 0.0
    assert v["tax_burden"] is None and v["sales_volatility"] is None


@pytest.mark.parametrize(
    ("rows", "as_of", "message"),
    [
        ({"tax": [{"credit_code": CODE, "period": "2025-01", "invoiced_sales": 1.0, "tax_paid": 0.0},
                  {"credit_code": "91500000MA5U000001", "period": "2025-02", "invoiced_sales": 1.0, "tax_paid": 0.0}]},
         AS_OF, "enterprises"),
        ({}, "2025-3", "YYYY-MM"),
        ({"tax": [{"credit_code": CODE, "period": "2025-13", "invoiced_sales": 1.0, "tax_paid": 0.0}]}, AS_OF, "YYYY"),
        ({"tax": [{"credit_code": CODE, "period": "2025-01", "invoiced_sales": 1.0, "tax_paid": 0.0}] * 2},
         AS_OF, "two rows"),
        ({"tax": [{"credit_code": CODE, "period": "2025-01", "invoiced_sales": -1.0, "tax_paid": 0.0}]}, AS_OF, ">= 0"),
        ({"tax": [{"credit_code": CODE, "period": "2025-01", "invoiced_sales": "1", "tax_paid": 0.0}]}, AS_OF, ">= 0"),
        ({"registration": [registration(established="30/06/2015")]}, AS_OF, "not a date"),
    ],
)
def test_unusable_records_raise(rows: Rows, as_of: str, message: str) -> None:
    with pytest.raises(FeatureError, match=message):
        extract(rows, as_of)


def test_unread_categories_are_ignored() -> None:
    assert extract({"weather": [{"credit_code": CODE, "period": "2025-01"}]}, AS_OF) == extract({}, AS_OF)


def test_the_spec() -> None:
    assert len(set(NAMES)) == len(NAMES) == len(FEATURES)
    for spec in FEATURES:
        assert spec.kind in ("numeric", "categorical") and spec.monotone in (-1, 0, 1)
        assert spec.description and spec.description[0].isupper() and not spec.description.endswith(".")
        assert spec.kind == "numeric" or spec.monotone == 0
    assert {s.name for s in FEATURES if s.monotone == -1} == {
        "sales_volatility", "tax_volatility", "electricity_volatility", "penalties_12m", "enforcement_cases_12m"}


def test_canonical_bytes_and_hash() -> None:
    v = FeatureVector.of({"b": 1 / 3, "a": None, "c": "C", "d": 123456789.0, "e": -0.0, "f": 2})
    assert v.data == (0.333333, None, "C", 123457000.0, 0.0, 2.0)
    assert canonical(v) == b'{"a":null,"b":0.333333,"c":"C","d":123457000,"e":0,"f":2}'
    assert canonical(v) == rfc8785.dumps(json.loads(canonical(v)))
    assert vector_hash(v) == hashlib.sha256(canonical(v)).hexdigest()


@settings(max_examples=60, deadline=None)
@given(records())
def test_canonical_round_trips(rows: Rows) -> None:
    v = extract(rows, AS_OF)
    back = from_canonical(canonical(v), FEATURES)
    assert back == v and vector_hash(back) == vector_hash(v) and hash(back) == hash(v)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rounding_is_idempotent(x: float) -> None:
    once = FeatureVector.of({"x": x})
    assert FeatureVector.of({"x": once["x"]}) == once


@pytest.mark.parametrize("bad", [math.nan, math.inf, True, [1.0], 10**400])
def test_a_vector_refuses_non_finite_and_odd_values(bad: object) -> None:
    with pytest.raises(FeatureError):
        FeatureVector(("x",), (bad,))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mutate",
    [lambda d: d.pop("industry"), lambda d: d.update(extra=1), lambda d: d.update(industry=3),
     lambda d: d.update(sales_level="high")],
)
def test_from_canonical_checks_names_and_kinds(mutate: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(canonical(extract({}, AS_OF)))
    mutate(data)
    with pytest.raises(FeatureError):
        from_canonical(rfc8785.dumps(data), FEATURES)


def test_a_vector_is_a_mapping() -> None:
    v = extract({}, AS_OF)
    assert len(v) == len(NAMES) and dict(v)["tax_months"] == 0.0 and v.get("nope") is None
    with pytest.raises(KeyError):
        v["nope"]
