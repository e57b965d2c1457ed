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

from ledger.catalogue import idcard, uscc
from ledger.catalogue.errors import PilotError
from ledger.catalogue.people import DISTRICTS, enterprise_name, legal_representative
from ledger.catalogue.schema import SCHEMAS

Row = dict[str, str | int | float]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
_T = TypeVar("_T")
Signal = tuple[Bools, dict[str, NDArray[Any]]]  # (present: n * T, field → n * T values)


@dataclass(frozen=True)
class Industry:
    """Parameters of one GB/T 4754-2017 section. Rates are per yuan of sales; monthly where timed."""

    section: str
    name: str
    share: float
    health: float  # mean latent health
    volatility: float  # sd of log invoiced sales around activity
    new_year: float  # log effect on activity in the Chinese New Year month
    year_end: float  # log effect on activity in December
    tax_rate: float  # tax paid / invoiced sales when fully compliant
    kwh: float
    water: float  # m³
    gas: float  # m³, for enterprises with a gas account
    gas_share: float
    metered: float  # share with their own electricity meter
    traders: float  # share that import or export
    ip: float  # share holding patents or trademarks
    penalty: float  # monthly administrative-penalty rate at health 0
    words: tuple[str, ...]


INDUSTRIES = (
    Industry("C", "制造业", .26, .10, .20, -.35, .05, .030, .080, .0006, .0010, .35, .97, .15, .25, .0020,
             ("机械", "电子", "汽车配件", "新材料", "精密制造", "塑胶")),
    Industry("F", "批发和零售业", .28, .00, .22, -.10, .10, .012, .006, .0001, .0002, .05, .80, .12, .03, .0030,
             ("商贸", "贸易", "百货", "供应链")),
    Industry("I", "信息传输、软件和信息技术服务业", .10, .20, .35, -.20, .25, .045, .008, .0001, .0002, .02, .75, .02,
             .65, .0008, ("科技", "软件", "信息技术", "网络科技")),
    Industry("E", "建筑业", .12, -.25, .45, -.50, .15, .030, .015, .0008, .0002, .03, .80, .00, .05, .0040,
             ("建筑工程", "建设", "装饰工程")),
    Industry("H", "住宿和餐饮业", .12, -.35, .15, .15, .05, .020, .030, .0015, .0030, .85, .95, .00, .02, .0060,
             ("餐饮管理", "火锅", "食品")),
    Industry("G", "交通运输、仓储和邮政业", .07, -.10, .20, -.30, .10, .025, .012, .0002, .0002, .05, .85, .05, .02,
             .0030, ("物流", "运输", "仓储")),
    Industry("L", "租赁和商务服务业", .05, .00, .25, -.15, .05, .040, .005, .0001, .0002, .02, .75, .02, .08, .0015,
             ("商务咨询", "企业管理", "广告")),
)
SIZES = ("micro", "small", "medium")
_SIZE_SHARE = (.62, .30, .08)
_HEADCOUNT = ((4.0, 1, 9), (25.0, 10, 99), (150.0, 100, 299))  # median, least, most
_SALES = (1.5e5, 1.2e6, 9e6)  # median monthly sales, yuan
_CAPITAL = (5e5, 3e6, 2e7)  # median registered capital, yuan
_NEW_YEAR = {2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
             2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3)}
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


@dataclass(frozen=True)
class _World:
    """The hidden state: arrays over enterprises (n) and months (T, or T + 12 for health)."""

    industry: NDArray[np.int64]
    size: NDArray[np.int64]
    age: Floats  # years at the start
    health: Floats  # n * (T + 12)
    activity: Floats  # n * T, log yuan of real monthly business
    headcount: Floats  # n * T
    observed: NDArray[np.int64]  # index of the last period before the observation date
    default_month: NDArray[np.int64]  # index of the default month, -1 if none
    after_default: Floats  # n * T: months since default, 0 before it


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
    world = _world(rng, n_enterprises, periods)
    enterprises = _enterprises(rng, world, periods[0])
    codes = [e.credit_code for e in enterprises]
    records = {"registration": [_registration(e, periods[0]) for e in enterprises]}
    for category, make in _SIGNALS.items():
        present, columns = make(rng, world, periods)
        records[category] = _rows(codes, periods, present, columns)
    records = {c: records[c] for c in SCHEMAS}
    arrivals = {c: _arrivals(rng, c, periods) for c in SCHEMAS}
    return Pilot(tuple(periods), tuple(enterprises), records, _outcomes(world, codes, periods), arrivals)


def _periods(start: str, months: int) -> list[str]:
    try:
        year, month = (int(p) for p in start.split("-"))
        date(year, month, 1)
    except ValueError:
        raise PilotError(f"start is YYYY-MM, got {start!r}") from None
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, index + months)]


def _world(rng: np.random.Generator, n: int, periods: list[str]) -> _World:
    t = len(periods)
    industry = rng.choice(len(INDUSTRIES), n, p=[i.share for i in INDUSTRIES])
    size = rng.choice(len(SIZES), n, p=_SIZE_SHARE)
    age = np.minimum(0.3 + rng.gamma(1.6, 4.0, n), 30.0)
    level = _column(industry, "health") + 0.25 * np.log(age / 5) + 0.15 * (size - 0.5) + rng.normal(0, .8, n)
    health = level[:, None] + _health_path(rng, n, t + 12, industry)
    observed = rng.integers(min(11, max(t - 13, 0)), max(t - 13, 0) + 1, n)
    default_month = _defaults(rng, health, observed)
    steps = np.arange(t)[None, :] - default_month[:, None]
    after = np.where((default_month[:, None] >= 0) & (steps > 0), steps, 0).astype(np.float64)
    scale = np.log(np.asarray(_SALES))[size] + rng.normal(0, .5, n)
    activity = scale[:, None] + 0.5 * health[:, :t] + _season(periods)[industry] - 0.35 * after
    median, least, most = (np.asarray(c)[size] for c in zip(*_HEADCOUNT, strict=True))
    staff = np.clip(np.round(median * np.exp(rng.normal(0, .5, n))), least, most)
    headcount = staff[:, None] * np.exp(0.3 * (_smooth(health[:, :t]) - level[:, None]) - 0.2 * after)
    return _World(industry, size, age, health, activity, headcount, observed, default_month, after)


def _column(industry: NDArray[np.int64], name: str) -> Floats:
    return np.asarray([getattr(i, name) for i in INDUSTRIES], dtype=np.float64)[industry]


def _health_path(rng: np.random.Generator, n: int, t: int, industry: NDArray[np.int64]) -> Floats:
    """Drift + AR(1) shock (rho 0.9, sd 0.15) + an AR(1) industry cycle (rho 0.85, sd 0.06)."""
    drift = rng.normal(0, .02, n)[:, None] * np.arange(t)[None, :]
    shock = np.empty((n, t))
    cycle = np.empty((len(INDUSTRIES), t))
    shock[:, 0] = rng.normal(0, .15 / np.sqrt(1 - .81), n)
    cycle[:, 0] = rng.normal(0, .06 / np.sqrt(1 - .7225), len(INDUSTRIES))
    for m in range(1, t):
        shock[:, m] = .9 * shock[:, m - 1] + rng.normal(0, .15, n)
        cycle[:, m] = .85 * cycle[:, m - 1] + rng.normal(0, .06, len(INDUSTRIES))
    return drift + shock + cycle[industry]


def _defaults(rng: np.random.Generator, health: Floats, observed: NDArray[np.int64]) -> NDArray[np.int64]:
    """First month in (observed, observed + 12] whose hazard draw hits; -1 if none."""
    months = np.arange(health.shape[1])[None, :]
    window = (months > observed[:, None]) & (months <= observed[:, None] + 12)
    hazard = 1 / (1 + np.exp(-(_HAZARD[0] + _HAZARD[1] * health)))
    hit = window & (rng.random(health.shape) < hazard)
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


_HAZARD = (-6.0, -1.5)
"""Monthly default hazard = logistic(a + b·h): about 0.4 % a month at h = 0."""


def _season(periods: list[str]) -> Floats:
    """Industry * month log effects: Chinese New Year (and the half month beside it), December."""
    effect = np.zeros((len(INDUSTRIES), len(periods)))
    for m, period in enumerate(periods):
        year, month = int(period[:4]), int(period[5:])
        ny_month, ny_day = _NEW_YEAR.get(year, (2, 1))
        near = (month == ny_month - 1 and ny_day <= 10) or (month == ny_month + 1 and ny_day >= 20)
        weight = 1.0 if month == ny_month else 0.5 if near else 0.0
        for k, ind in enumerate(INDUSTRIES):
            effect[k, m] = weight * ind.new_year + (ind.year_end if month == 12 else 0.0)
    return effect


def _smooth(x: Floats, alpha: float = 0.2) -> Floats:
    out = np.empty_like(x)
    out[:, 0] = x[:, 0]
    for m in range(1, x.shape[1]):
        out[:, m] = (1 - alpha) * out[:, m - 1] + alpha * x[:, m]
    return out


def _sigmoid(x: Floats) -> Floats:
    return 1 / (1 + np.exp(-x))


def _present(rng: np.random.Generator, w: _World, share: Floats, missing: float, careless: float = 0.0) -> Bools:
    """Enterprises a department knows (share), less months missed: at random, more when health is
    poor (``careless``), and half of them after a default."""
    n, t = w.activity.shape
    known = rng.random(n) < share
    miss = missing + careless * _sigmoid(-3 * (w.health[:, :t] + 1.2)) + 0.5 * (w.after_default > 0)
    return known[:, None] & (rng.random((n, t)) >= miss)


def _noise(rng: np.random.Generator, w: _World, sd: float | Floats) -> Floats:
    scale = np.asarray(sd)
    return np.asarray(rng.normal(0, 1, w.activity.shape) * (scale[:, None] if scale.ndim else scale))


def _month_of_year(periods: Sequence[str]) -> NDArray[np.int64]:
    return np.asarray([int(p[5:]) for p in periods])


def _tax(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """Invoiced sales = activity with industry noise; tax = rate * sales * compliance (falls with health)."""
    sales = np.exp(w.activity + _noise(rng, w, _column(w.industry, "volatility")))
    compliance = _sigmoid(2.2 + 1.2 * w.health[:, : len(periods)])
    tax = sales * _column(w.industry, "tax_rate")[:, None] * compliance * np.exp(_noise(rng, w, .08))
    present = _present(rng, w, np.full(len(w.industry), .99), .01, .15)
    return present, {"invoiced_sales": sales.round(2), "tax_paid": tax.round(2)}


def _social_security(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    insured = rng.uniform(.5, 1.0, len(w.industry))[:, None] * w.headcount * np.exp(_noise(rng, w, .03))
    present = _present(rng, w, np.full(len(w.industry), .93), .02, .10)
    return present, {"insured_headcount": np.round(insured).astype(np.int64)}


def _electricity(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """kWh follow real activity, heavily for manufacturing; Chongqing's hot July and August add air conditioning."""
    summer = np.isin(_month_of_year(periods), (7, 8)) * .25
    own = rng.normal(0, .3, len(w.industry))[:, None]
    kwh = np.exp(w.activity + own + summer + _noise(rng, w, .1)) * _column(w.industry, "kwh")[:, None]
    return _present(rng, w, _column(w.industry, "metered"), .03), {"kwh": kwh.round(1)}


def _water(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    own = rng.normal(0, .3, len(w.industry))[:, None]
    m3 = np.exp(w.activity + own + _noise(rng, w, .2)) * _column(w.industry, "water")[:, None] + 1.5 * w.headcount
    return _present(rng, w, np.full(len(w.industry), .75), .05), {"m3": m3.round(1)}


def _gas(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    winter = np.isin(_month_of_year(periods), (12, 1, 2)) * .3
    own = rng.normal(0, .3, len(w.industry))[:, None]
    m3 = np.exp(w.activity + own + winter + _noise(rng, w, .15)) * _column(w.industry, "gas")[:, None]
    return _present(rng, w, _column(w.industry, "gas_share"), .04), {"m3": m3.round(1)}


def _customs(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """Traders only; in a month each flow happens with probability 0.75 * a health factor."""
    n, t = len(w.industry), len(periods)
    trader = rng.random(n) < _column(w.industry, "traders")
    flows = {}
    for flow, (low, high) in (("imports", (0.0, 0.4)), ("exports", (0.1, 0.6))):
        share = rng.uniform(low, high, n)[:, None]
        active = trader[:, None] & (rng.random((n, t)) < .75 * _sigmoid(2 + w.health[:, :t]))
        flows[flow] = np.where(active, np.exp(w.activity + _noise(rng, w, .4)) * share, 0.0).round(2)
    return (flows["imports"] > 0) | (flows["exports"] > 0), flows


def _ip(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """Holdings of valid patents and registered trademarks; new grants come faster when health is good."""
    n, t = w.activity.shape
    holder = rng.random(n) < _column(w.industry, "ip")
    boost = np.exp(.3 * w.size[:, None] + .4 * w.health[:, :t])
    holdings = {}
    for name, first, rate in (("patents", 3.0, .08), ("trademarks", 2.0, .04)):
        start = rng.poisson(first * boost[:, 0])
        holdings[name] = start[:, None] + np.cumsum(rng.poisson(rate * boost), axis=1)
    return holder[:, None] & _present(rng, w, np.ones(n), .03), holdings


def _penalties(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """Administrative penalties: Poisson, rate * e^(-0.9 h); one row for a month with any."""
    rate = _column(w.industry, "penalty")[:, None] * np.exp(-.9 * w.health[:, : len(periods)])
    count = rng.poisson(rate)
    fines = np.round(count * np.exp(rng.normal(8.5, 1.0, count.shape)) / 100) * 100  # whole hundreds of yuan
    return count > 0, {"penalties": count, "fines": fines}


def _courts(rng: np.random.Generator, w: _World, periods: Sequence[str]) -> Signal:
    """New enforcement cases: Poisson, 0.0015 * e^(-1.4 h), and 0.15 a month after a default."""
    rate = .0015 * np.exp(-1.4 * w.health[:, : len(periods)]) + .15 * (w.after_default > 0)
    count = rng.poisson(rate)
    amount = np.round(count * np.exp(w.activity + rng.normal(-.5, .8, count.shape)), 2)
    return count > 0, {"enforcement_cases": count, "amount": amount}


_SIGNALS = {
    "tax": _tax, "social_security": _social_security, "electricity": _electricity, "water": _water, "gas": _gas,
    "customs": _customs, "ip": _ip, "administrative_penalties": _penalties, "courts": _courts,
}


def _rows(
    codes: Sequence[str], periods: Sequence[str], present: Bools, columns: Mapping[str, NDArray[Any]]
) -> list[Row]:
    """One row per present (enterprise, month), in period order, fields in schema order."""
    month, firm = np.nonzero(present.T)
    names = ("credit_code", "period", *columns)
    values = [[codes[i] for i in firm.tolist()], [periods[m] for m in month.tolist()]]
    values += [column[firm, month].tolist() for column in columns.values()]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _enterprises(rng: np.random.Generator, w: _World, first: str) -> list[Enterprise]:
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


def _outcomes(w: _World, codes: Sequence[uscc.CreditCode], periods: Sequence[str]) -> tuple[Outcome, ...]:
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
