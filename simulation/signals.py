"""What departments see of the pilot's hidden economy: one reading per category and month.

Each signal takes the generator, the :class:`~simulation.economy.World` and the periods, and
returns which (enterprise, month) cells a department holds and the values it holds there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulation.economy import Floats, World, column, sigmoid

Bools = NDArray[np.bool_]
Signal = tuple[Bools, dict[str, NDArray[Any]]]  # (present: n * T, field → n * T values)


def _present(rng: np.random.Generator, w: World, share: Floats, missing: float, careless: float = 0.0) -> Bools:
    """Enterprises a department knows (share), less months missed: at random, more when health is
    poor (``careless``), and half of them after a default."""
    n, t = w.activity.shape
    known = rng.random(n) < share
    miss = missing + careless * sigmoid(-3 * (w.health[:, :t] + 1.2)) + 0.5 * (w.after_default > 0)
    return known[:, None] & (rng.random((n, t)) >= miss)


def _noise(rng: np.random.Generator, w: World, sd: float | Floats) -> Floats:
    scale = np.asarray(sd)
    return np.asarray(rng.normal(0, 1, w.activity.shape) * (scale[:, None] if scale.ndim else scale))


def _month_of_year(periods: Sequence[str]) -> NDArray[np.int64]:
    return np.asarray([int(p[5:]) for p in periods])


def _tax(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """Invoiced sales = activity with industry noise; tax = rate * sales * compliance (falls with health)."""
    sales = np.exp(w.activity + _noise(rng, w, column(w.industry, "volatility")))
    compliance = sigmoid(2.2 + 1.2 * w.health[:, : len(periods)])
    tax = sales * column(w.industry, "tax_rate")[:, None] * compliance * np.exp(_noise(rng, w, .08))
    present = _present(rng, w, np.full(len(w.industry), .99), .01, .15)
    return present, {"invoiced_sales": sales.round(2), "tax_paid": tax.round(2)}


def _social_security(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    insured = rng.uniform(.5, 1.0, len(w.industry))[:, None] * w.headcount * np.exp(_noise(rng, w, .03))
    present = _present(rng, w, np.full(len(w.industry), .93), .02, .10)
    return present, {"insured_headcount": np.round(insured).astype(np.int64)}


def _electricity(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """kWh follow real activity, heavily for manufacturing; Chongqing's hot July and August add air conditioning."""
    summer = np.isin(_month_of_year(periods), (7, 8)) * .25
    own = rng.normal(0, .3, len(w.industry))[:, None]
    kwh = np.exp(w.activity + own + summer + _noise(rng, w, .1)) * column(w.industry, "kwh")[:, None]
    return _present(rng, w, column(w.industry, "metered"), .03), {"kwh": kwh.round(1)}


def _water(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    own = rng.normal(0, .3, len(w.industry))[:, None]
    m3 = np.exp(w.activity + own + _noise(rng, w, .2)) * column(w.industry, "water")[:, None] + 1.5 * w.headcount
    return _present(rng, w, np.full(len(w.industry), .75), .05), {"m3": m3.round(1)}


def _gas(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    winter = np.isin(_month_of_year(periods), (12, 1, 2)) * .3
    own = rng.normal(0, .3, len(w.industry))[:, None]
    m3 = np.exp(w.activity + own + winter + _noise(rng, w, .15)) * column(w.industry, "gas")[:, None]
    return _present(rng, w, column(w.industry, "gas_share"), .04), {"m3": m3.round(1)}


def _customs(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """Traders only; in a month each flow happens with probability 0.75 * a health factor."""
    n, t = len(w.industry), len(periods)
    trader = rng.random(n) < column(w.industry, "traders")
    flows = {}
    for flow, (low, high) in (("imports", (0.0, 0.4)), ("exports", (0.1, 0.6))):
        share = rng.uniform(low, high, n)[:, None]
        active = trader[:, None] & (rng.random((n, t)) < .75 * sigmoid(2 + w.health[:, :t]))
        flows[flow] = np.where(active, np.exp(w.activity + _noise(rng, w, .4)) * share, 0.0).round(2)
    return (flows["imports"] > 0) | (flows["exports"] > 0), flows


def _ip(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """Holdings of valid patents and registered trademarks; new grants come faster when health is good."""
    n, t = w.activity.shape
    holder = rng.random(n) < column(w.industry, "ip")
    boost = np.exp(.3 * w.size[:, None] + .4 * w.health[:, :t])
    holdings = {}
    for name, first, rate in (("patents", 3.0, .08), ("trademarks", 2.0, .04)):
        start = rng.poisson(first * boost[:, 0])
        holdings[name] = start[:, None] + np.cumsum(rng.poisson(rate * boost), axis=1)
    return holder[:, None] & _present(rng, w, np.ones(n), .03), holdings


def _penalties(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """Administrative penalties: Poisson, rate * e^(-0.9 h); one row for a month with any."""
    rate = column(w.industry, "penalty")[:, None] * np.exp(-.9 * w.health[:, : len(periods)])
    count = rng.poisson(rate)
    fines = np.round(count * np.exp(rng.normal(8.5, 1.0, count.shape)) / 100) * 100  # whole hundreds of yuan
    return count > 0, {"penalties": count, "fines": fines}


def _courts(rng: np.random.Generator, w: World, periods: Sequence[str]) -> Signal:
    """New enforcement cases: Poisson, 0.0015 * e^(-1.4 h), and 0.15 a month after a default."""
    rate = .0015 * np.exp(-1.4 * w.health[:, : len(periods)]) + .15 * (w.after_default > 0)
    count = rng.poisson(rate)
    amount = np.round(count * np.exp(w.activity + rng.normal(-.5, .8, count.shape)), 2)
    return count > 0, {"enforcement_cases": count, "amount": amount}


SIGNALS = {
    "tax": _tax, "social_security": _social_security, "electricity": _electricity, "water": _water, "gas": _gas,
    "customs": _customs, "ip": _ip, "administrative_penalties": _penalties, "courts": _courts,
}
