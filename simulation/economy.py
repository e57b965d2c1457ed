"""The synthetic pilot's hidden economy: industries, sizes, and the world they make.

A hidden business health per enterprise and month drives activity, headcount and default; the
departments' data are readings of it (:mod:`simulation.signals`). Everything is drawn from
the one generator :func:`simulation.pilot.generate` passes in, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]


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
_NEW_YEAR = {2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
             2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3)}


@dataclass(frozen=True)
class World:
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


def world(rng: np.random.Generator, n: int, periods: list[str]) -> World:
    """The hidden state of ``n`` enterprises over ``periods``: see :func:`simulation.pilot.generate`."""
    t = len(periods)
    industry = rng.choice(len(INDUSTRIES), n, p=[i.share for i in INDUSTRIES])
    size = rng.choice(len(SIZES), n, p=_SIZE_SHARE)
    age = np.minimum(0.3 + rng.gamma(1.6, 4.0, n), 30.0)
    level = column(industry, "health") + 0.25 * np.log(age / 5) + 0.15 * (size - 0.5) + rng.normal(0, .8, n)
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
    return World(industry, size, age, health, activity, headcount, observed, default_month, after)


def column(industry: NDArray[np.int64], name: str) -> Floats:
    """The :class:`Industry` parameter ``name`` of each enterprise, given their industry indices."""
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


def sigmoid(x: Floats) -> Floats:
    """The logistic function, elementwise."""
    return 1 / (1 + np.exp(-x))
