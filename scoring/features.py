"""Features: what an enterprise's departmental records say about its commercial value (seeds R1, R6).

:func:`extract` turns one enterprise's records (rows of :mod:`ledger.catalogue.schema`, keyed by
category) and an as-of period into a :class:`FeatureVector`: values in :data:`FEATURES` order, each
a float, a string (categoricals) or ``None``.

No leakage. Only rows whose ``period`` is strictly before ``as_of`` are read, and of the monthly
series only the twelve months ``as_of - 12 … as_of - 1`` (the window). With ``arrived`` (category →
the periods its department had delivered by the as-of date) a period not in it is read as a month
without a row: data generated but not yet delivered cannot be used. The platform's store holds only
what arrived, so the oracle passes no ``arrived``; :mod:`simulation.training` derives it from the
pilot's delivery dates.

Missing is explicit: a feature is ``None`` when the window cannot support it — levels need one month
with a row, growth three in each half-year, volatility six — never a silent 0. The exception is the
event datasets (customs, administrative penalties, courts): a department sends a row only for a
month with events, so a month without a row counts as zero events. Coverage features count months.

:func:`compute` is the batch core over many enterprises' windows (numpy); :func:`extract` and
:func:`simulation.training.build` both go through it, so training and scoring compute the same
numbers. A vector as a record (its canonical bytes and their hash) is :mod:`scoring.vector`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.errors import FeatureError
from scoring.vector import Direction, FeatureSpec, FeatureVector

Floats = NDArray[np.float64]

WINDOW = 12  # months before the as-of period that monthly series are read from
HALF = WINDOW // 2
GROWTH_MONTHS = 3  # rows needed in each half-year for a growth figure
VOLATILITY_MONTHS = 6  # rows needed in the window for a coefficient of variation

SERIES: Mapping[str, tuple[str, ...]] = {
    "tax": ("invoiced_sales", "tax_paid"), "social_security": ("insured_headcount",), "electricity": ("kwh",),
    "water": ("m3",), "gas": ("m3",), "ip": ("patents", "trademarks"), "customs": ("imports", "exports"),
    "administrative_penalties": ("penalties",), "courts": ("enforcement_cases",),
}
"""The monthly categories and fields the features read."""
EVENT_DATASETS = frozenset({"customs", "administrative_penalties", "courts"})
"""A month without a row is a month without events (0), not a missing month."""
REPORTING = ("tax", "social_security", "electricity", "water", "gas", "ip")
"""Datasets counted by ``datasets_present`` (with the registration snapshot)."""


def _n(name: str, monotone: Direction, description: str, definition: str) -> FeatureSpec:
    return FeatureSpec(name, "numeric", monotone, description, definition)


_L12 = "over the 12 months before the as-of period"
FEATURES: tuple[FeatureSpec, ...] = (
    _n("sales_level", 1, "Invoiced sales are low", f"ln(1 + mean monthly invoiced sales) {_L12}"),
    _n("sales_growth", 1, "Invoiced sales fell over the last six months",
       "ln((1 + mean of the last 6 months) / (1 + mean of the 6 before)) of invoiced sales"),
    _n("sales_volatility", -1, "Invoiced sales swing widely from month to month",
       f"coefficient of variation of monthly invoiced sales {_L12}"),
    _n("tax_level", 1, "Little tax is paid", f"ln(1 + mean monthly tax paid) {_L12}"),
    _n("tax_growth", 1, "Tax paid fell over the last six months", "as sales_growth, of tax paid"),
    _n("tax_volatility", -1, "Tax payments are irregular", f"coefficient of variation of monthly tax paid {_L12}"),
    _n("tax_burden", 1, "Tax paid is low for the sales invoiced, against the industry's norm",
       f"(total tax paid / total invoiced sales {_L12}) / the industry's benchmark tax burden"),
    _n("tax_months", 1, "Tax filings are missing for some of the last twelve months", "months with a tax row, 0-12"),
    _n("headcount_level", 1, "Few employees are insured", "ln(1 + insured headcount of the latest month)"),
    _n("headcount_growth", 1, "Insured headcount shrank over the last six months",
       "as sales_growth, of insured headcount"),
    _n("social_security_months", 1, "Social security contributions are missing for some recent months",
       "months with a social security row, 0-12"),
    _n("electricity_trend", 1, "Electricity use fell over the last six months", "as sales_growth, of kWh"),
    _n("electricity_volatility", -1, "Electricity use is unstable", f"coefficient of variation of monthly kWh {_L12}"),
    _n("electricity_months", 1, "Little metered electricity use on record", "months with an electricity row, 0-12"),
    _n("trade_months", 1, "Little or no import and export activity", "months with customs imports or exports, 0-12"),
    _n("trade_level", 1, "Trade volume is small", f"ln(1 + total imports and exports) {_L12}"),
    _n("patents", 1, "Few or no valid patents", "patents held in the latest month with an IP row"),
    _n("trademarks", 1, "Few or no registered trademarks", "trademarks held in the latest month with an IP row"),
    _n("penalties_12m", -1, "Administrative penalties in the last twelve months", f"penalties {_L12}"),
    _n("enforcement_cases_12m", -1, "Court enforcement cases in the last twelve months",
       f"new enforcement cases {_L12}"),
    _n("datasets_present", 1, "Few departments hold data on the enterprise",
       "of tax, social security, electricity, water, gas, IP (a row in the window) and registration, how many"),
    _n("years_established", 1, "The enterprise is young",
       "years from establishment to the first day of the as-of period"),
    _n("registered_capital", 1, "Registered capital is small", "ln(1 + registered capital in yuan)"),
    FeatureSpec("industry", "categorical", 0, "The enterprise's industry carries more risk than most",
                "GB/T 4754-2017 section letter"),
)
NAMES: tuple[str, ...] = tuple(s.name for s in FEATURES)


_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def month_index(period: str) -> int:
    """``YYYY-MM`` as a count of months (year * 12 + month - 1)."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise FeatureError(f"a period is YYYY-MM, got {period!r}")
    return int(match[1]) * 12 + int(match[2]) - 1


def first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Windows:
    """n enterprises' inputs at their as-of periods. ``series[(category, field)]`` is n by WINDOW,
    oldest month first, NaN where no row was read; registration values are NaN / None if unknown."""

    series: Mapping[tuple[str, str], Floats]
    registered: NDArray[np.bool_]
    years_established: Floats
    capital: Floats
    industry: NDArray[np.object_]


def compute(w: Windows) -> dict[str, NDArray[Any]]:
    """Feature columns, in :data:`FEATURES` order: float64 with NaN for missing, object for categoricals."""
    s = w.series
    sales, tax = s[("tax", "invoiced_sales")], s[("tax", "tax_paid")]
    headcount, kwh = s[("social_security", "insured_headcount")], s[("electricity", "kwh")]
    trade = _events(s[("customs", "imports")]) + _events(s[("customs", "exports")])
    both = ~np.isnan(sales) & ~np.isnan(tax)
    reporting = sum(((_months(s[(c, SERIES[c][0])]) > 0).astype(np.float64) for c in REPORTING), np.zeros(len(sales)))
    columns: dict[str, NDArray[Any]] = {
        "sales_level": np.log1p(_mean(sales)), "sales_growth": _growth(sales), "sales_volatility": _cv(sales),
        "tax_level": np.log1p(_mean(tax)), "tax_growth": _growth(tax), "tax_volatility": _cv(tax),
        "tax_burden": _ratio(np.where(both, tax, 0).sum(axis=1), np.where(both, sales, 0).sum(axis=1))
        / _benchmark(w.industry),
        "tax_months": _months(sales), "headcount_level": np.log1p(_latest(headcount)),
        "headcount_growth": _growth(headcount), "social_security_months": _months(headcount),
        "electricity_trend": _growth(kwh), "electricity_volatility": _cv(kwh), "electricity_months": _months(kwh),
        "trade_months": (trade > 0).sum(axis=1).astype(np.float64), "trade_level": np.log1p(trade.sum(axis=1)),
        "patents": _latest(s[("ip", "patents")]), "trademarks": _latest(s[("ip", "trademarks")]),
        "penalties_12m": _events(s[("administrative_penalties", "penalties")]).sum(axis=1),
        "enforcement_cases_12m": _events(s[("courts", "enforcement_cases")]).sum(axis=1),
        "datasets_present": reporting + w.registered, "years_established": w.years_established,
        "registered_capital": np.log1p(w.capital), "industry": w.industry,
    }
    return {name: columns[name] for name in NAMES}


INDUSTRY_TAX_BURDEN: Mapping[str, float] = {
    "C": 0.030, "E": 0.030, "F": 0.012, "G": 0.025, "H": 0.020, "I": 0.045, "L": 0.040,
}
"""Benchmark tax burden (tax paid per yuan invoiced) by GB/T 4754 section, as tax bureaus publish
for their industry-burden checks (行业税负率); demo values. A ratio means little across industries
(a compliant wholesaler pays 1.2 %, software 4.5 %), so the feature is the ratio to the norm."""


def _benchmark(industry: NDArray[np.object_]) -> Floats:
    out: Floats = np.array([INDUSTRY_TAX_BURDEN.get(str(i), np.nan) if i is not None else np.nan
                            for i in industry], dtype=np.float64)
    return out


def _months(x: Floats) -> Floats:
    out: Floats = (~np.isnan(x)).sum(axis=1).astype(np.float64)
    return out


def _events(x: Floats) -> Floats:
    out: Floats = np.nan_to_num(x, nan=0.0)
    return out


def _ratio(top: Floats, bottom: Floats) -> Floats:
    out: Floats = np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom > 0)
    return out


def _mean(x: Floats, least: int = 1) -> Floats:
    count = _months(x)
    out: Floats = np.where(count >= least, np.nansum(x, axis=1) / np.maximum(count, 1), np.nan)
    return out


def _growth(x: Floats) -> Floats:
    recent, before = _mean(x[:, HALF:], GROWTH_MONTHS), _mean(x[:, :HALF], GROWTH_MONTHS)
    return np.log((1 + recent) / (1 + before))


def _cv(x: Floats) -> Floats:
    mean = _mean(x, VOLATILITY_MONTHS)
    spread = np.sqrt(_mean((x - mean[:, None]) ** 2, VOLATILITY_MONTHS))
    return _ratio(spread, mean)


def _latest(x: Floats) -> Floats:
    last = x.shape[1] - 1 - np.argmax(~np.isnan(x[:, ::-1]), axis=1)  # all-NaN rows land on a NaN
    out: Floats = x[np.arange(len(x)), last]
    return out


def vectors(columns: Mapping[str, NDArray[Any]]) -> list[FeatureVector]:
    """One vector per row of :func:`compute`'s columns (NaN becomes None)."""
    cells = [[None if v is None or v != v else v for v in columns[name].tolist()] for name in NAMES]
    return [FeatureVector(NAMES, tuple(row)) for row in zip(*cells, strict=True)]


Records = Mapping[str, Iterable[Mapping[str, object]]]


def extract(records: Records, as_of: str, *, arrived: Mapping[str, Collection[str]] | None = None) -> FeatureVector:
    """The features of one enterprise's ``records`` (category → rows) as of ``as_of`` (``YYYY-MM``).

    Categories the features do not read are ignored. ``arrived``: see the module docstring.
    """
    end = month_index(as_of)
    _one_enterprise(records)
    series = {(c, f): np.full((1, WINDOW), np.nan) for c, fields in SERIES.items() for f in fields}
    for category, fields in SERIES.items():
        for k, row in _window_rows(records.get(category, ()), category, end, arrived):
            for f in fields:
                series[(category, f)][0, k] = _number(row, f)
    registered, age, capital, industry = _registration(records.get("registration", ()), end, arrived)
    windows = Windows(series, np.asarray([registered]), np.asarray([age]), np.asarray([capital]),
                      np.asarray([industry], dtype=object))
    return vectors(compute(windows))[0]


def _one_enterprise(records: Records) -> None:
    codes = {str(r.get("credit_code")) for rows in records.values() for r in rows}
    if len(codes) > 1:
        raise FeatureError(f"records of {len(codes)} enterprises given; features are per enterprise")


def _window_rows(
    rows: Iterable[Mapping[str, object]], category: str, end: int, arrived: Mapping[str, Collection[str]] | None
) -> Iterator[tuple[int, Mapping[str, object]]]:
    """(position in the window, row) for the rows read: in the window and, with ``arrived``, delivered."""
    seen: set[int] = set()
    for row in rows:
        period = str(row.get("period"))
        k = month_index(period) - end + WINDOW
        if 0 <= k < WINDOW and (arrived is None or period in arrived.get(category, ())):
            if k in seen:
                raise FeatureError(f"{category}: two rows for {period}")
            seen.add(k)
            yield k, row


def _number(row: Mapping[str, object], name: str) -> float:
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0 or not math.isfinite(value):
        raise FeatureError(f"{name!r} of {row.get('period')} must be a finite number >= 0, got {value!r}")
    return float(value)


def _registration(
    rows: Iterable[Mapping[str, object]], end: int, arrived: Mapping[str, Collection[str]] | None
) -> tuple[bool, float, float, str | None]:
    """(known, age in years, registered capital, industry) from the latest snapshot before ``end``."""
    usable = [r for r in rows if month_index(str(r.get("period"))) < end
              and (arrived is None or str(r.get("period")) in arrived.get("registration", ()))]
    if not usable:
        return False, math.nan, math.nan, None
    row = max(usable, key=lambda r: str(r.get("period")))
    try:
        established = date.fromisoformat(str(row.get("established")))
    except ValueError:
        raise FeatureError(f"registration: 'established' is not a date: {row.get('established')!r}") from None
    industry = row.get("industry")
    age = (first_day(end) - established).days / 365.25
    return True, age, _number(row, "registered_capital"), industry if isinstance(industry, str) else None
