"""A synthetic pilot: Chongqing SMEs, their monthly departmental data, and who defaulted.

Deterministic: one ``numpy.random.default_rng(seed)`` draws everything in a fixed order, so
the same arguments give the same pilot. A hidden business health drives every signal and the
default outcome; see :func:`generate`. Rows are what departments send (values a CSV or JSON
would carry) and pass :func:`ledger.catalogue.schema.validate_row`.
"""


from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ledger.catalogue.schema import SCHEMAS
from ledger.identifiers import idcard, uscc
from simulation.economy import INDUSTRIES, SIZES, World, world
from simulation.errors import PilotError
from simulation.people import DISTRICTS, enterprise_name, legal_representative
from simulation.signals import SIGNALS, Bools

Row = dict[str, str | int | float]
_T = TypeVar("_T")
_CAPITAL = (5e5, 3e6, 2e7)  # median registered capital, yuan
_CORE = {"500103", "500105", "500106", "500107", "500108", "500112", "500113"}


@dataclass(frozen=True)
class Enterprise:
    credit_code: uscc.CreditCode
    name: str
    industry: str  # GB/T 4754-2017 section letter
    district: str  # GB/T 2260 code
    size: str  # micro, small or medium
    established: date
    registered_capital: float
    legal_rep_name: str
    legal_rep_id_number: idcard.IdNumber
    phone: str
    address: str


@dataclass(frozen=True)
class Outcome:
    """Whether the enterprise defaulted in the 12 months from ``observation_date``.

    Data for periods before ``observation_date`` may be used to predict it, if it had arrived by
    then (see :attr:`Pilot.arrivals`); later data shows the default happening. With fewer than 24
    months the window, and ``default_period``, may run past the last generated period.
    """

    credit_code: uscc.CreditCode
    observation_date: date
    defaulted: int
    default_period: str | None


@dataclass(frozen=True)
class Delivery:
    """When a department delivered one period: ``lag_days`` after the period's month ended."""

    period: str
    delivered: date
    lag_days: int


@dataclass(frozen=True)
class Pilot:
    periods: tuple[str, ...]
    enterprises: tuple[Enterprise, ...]
    records: Mapping[str, list[Row]]  # category (a key of SCHEMAS) → rows in period order
    outcomes: tuple[Outcome, ...]
    arrivals: Mapping[str, tuple[Delivery, ...]]  # category → one delivery per period



def generate(n_enterprises: int, months: int = 36, seed: int = 7, start: str = "2023-01") -> Pilot:
    """A pilot of ``n_enterprises`` over ``months`` periods from ``start`` (YYYY-MM).

    Hidden health h = industry mean + log age + size + a persistent individual level (sd 0.8)
    + a drift (sd 0.02 a month) + an AR(1) shock (rho 0.9) + an AR(1) industry cycle. Activity
    (log yuan) = size scale + 0.5 h + season; invoiced sales, electricity, water, gas and trade
    are noisy readings of it; tax compliance, hiring, trading, patenting and missed filings rise
    with h, administrative penalties and court enforcement fall with it. Default: a monthly hazard
    logistic(-6 - 1.5 h) over the 12 months after the observation date, whose last observed period
    is drawn per enterprise between the 12th and the (T-12)th; after a default activity
    collapses, filings thin out and enforcement cases follow. ``records`` and ``arrivals`` are
    keyed like :data:`SCHEMAS`.
    """
    if n_enterprises < 1 or months < 1:
        raise PilotError("a pilot needs at least one enterprise and one month")
    periods = _periods(start, months)
    rng = np.random.default_rng(seed)
    w = world(rng, n_enterprises, periods)
    enterprises = _enterprises(rng, w, periods[0])
    codes = [e.credit_code for e in enterprises]
    records = {"registration": [_registration(e, periods[0]) for e in enterprises]}
    for category, make in SIGNALS.items():
        present, columns = make(rng, w, periods)
        records[category] = _rows(codes, periods, present, columns)
    records = {c: records[c] for c in SCHEMAS}
    arrivals = {c: _arrivals(rng, c, periods) for c in SCHEMAS}
    return Pilot(tuple(periods), tuple(enterprises), records, _outcomes(w, codes, periods), arrivals)


def _periods(start: str, months: int) -> list[str]:
    try:
        year, month = (int(p) for p in start.split("-"))
        date(year, month, 1)
    except ValueError:
        raise PilotError(f"start is YYYY-MM, got {start!r}") from None
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index + months)]


def _rows(
    codes: Sequence[str], periods: Sequence[str], present: Bools, columns: Mapping[str, NDArray[Any]]
) -> list[Row]:
    """One row per present (enterprise, month), in period order, fields in schema order."""
    month, firm = np.nonzero(present.T)
    names = ("credit_code", "period", *columns)
    values = [[codes[i] for i in firm.tolist()], [periods[m] for m in month.tolist()]]
    values += [column[firm, month].tolist() for column in columns.values()]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _enterprises(rng: np.random.Generator, w: World, first: str) -> list[Enterprise]:
    n = len(w.industry)
    weights = np.asarray([3.0 if d in _CORE else 1.0 for d in DISTRICTS])
    districts = [DISTRICTS[i] for i in rng.choice(len(DISTRICTS), n, p=weights / weights.sum())]
    codes = _unique(lambda i: uscc.generate(rng, districts[i]), n)
    names = _unique(lambda i: enterprise_name(rng, INDUSTRIES[w.industry[i]].words), n)
    opened = date(int(first[:4]), int(first[5:]), 1)
    capital = np.round(np.asarray(_CAPITAL)[w.size] * np.exp(rng.normal(0, .6, n)) / 1e4) * 1e4  # whole 10,000s
    return [
        Enterprise(codes[i], names[i], INDUSTRIES[w.industry[i]].section, districts[i], SIZES[w.size[i]],
                   opened - timedelta(days=int(w.age[i] * 365.25)), float(capital[i]),
                   *legal_representative(rng, districts[i], opened))
        for i in range(n)
    ]


def _unique(make: Callable[[int], _T], n: int) -> list[_T]:
    """``make(i)`` for i in range(n), drawn again while it repeats an earlier one."""
    seen: set[_T] = set()
    out = []
    for i in range(n):
        value = make(i)
        while value in seen:
            value = make(i)
        seen.add(value)
        out.append(value)
    return out


def _registration(e: Enterprise, period: str) -> Row:
    return {
        "credit_code": e.credit_code, "period": period, "enterprise_name": e.name, "legal_rep_name": e.legal_rep_name,
        "legal_rep_id_number": e.legal_rep_id_number, "phone": e.phone, "address": e.address,
        "registered_capital": e.registered_capital, "established": e.established.isoformat(), "industry": e.industry,
    }


def _month_start(first: str, offset: int) -> date:
    index = int(first[:4]) * 12 + int(first[5:]) - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _outcomes(w: World, codes: Sequence[uscc.CreditCode], periods: Sequence[str]) -> tuple[Outcome, ...]:
    return tuple(
        Outcome(code, _month_start(periods[0], int(w.observed[i]) + 1), int(w.default_month[i] >= 0),
                f"{_month_start(periods[0], int(w.default_month[i])):%Y-%m}" if w.default_month[i] >= 0 else None)
        for i, code in enumerate(codes)
    )


_LAGS = {  # category → (mean lag in days after the month ends, sd, chance of a late delivery)
    "tax": (17, 3, .03), "social_security": (12, 3, .03), "electricity": (6, 2, .02), "water": (9, 3, .05),
    "gas": (9, 3, .05), "customs": (40, 12, .10), "ip": (25, 6, .05), "registration": (5, 2, .0),
    "administrative_penalties": (12, 4, .05), "courts": (55, 20, .15),
}


def _arrivals(rng: np.random.Generator, category: str, periods: Sequence[str]) -> tuple[Delivery, ...]:
    """Lags around the department's habit; a late delivery adds 30 to 90 days. A snapshot arrives once."""
    mean, sd, late = _LAGS[category]
    if SCHEMAS[category].period == "snapshot":
        periods = periods[:1]
    lags = np.maximum(1, np.round(rng.normal(mean, sd, len(periods)))).astype(np.int64)
    lags += (rng.random(len(periods)) < late) * rng.integers(30, 91, len(periods))
    return tuple(
        Delivery(p, _month_start(p, 1) - timedelta(days=1) + timedelta(days=int(lag)), int(lag))
        for p, lag in zip(periods, lags.tolist(), strict=True)
    )
