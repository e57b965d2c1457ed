"""The synthetic pilot as a training table: each enterprise's features at its outcome's observation date.

:func:`build` groups every department's rows by enterprise once (numpy), cuts each enterprise's
twelve-month window before its as-of period, and runs the same batch core as
:func:`scoring.features.extract` (:func:`scoring.features.compute`), so a model trained here sees
the numbers the oracle will compute for one enterprise.

As-of and leakage. With ``as_of_from_outcome`` (the default) an enterprise's as-of period is the
month of its :attr:`~simulation.pilot.Outcome.observation_date`, and the target is whether it
defaulted in the 12 months from then; only periods strictly before it are read. Without it every
enterprise is taken as of the month after the pilot's last period (scoring the book "today"): the
target is then carried along but is not a valid training target.

Delivery lags (``lags=True``): a period of a category is read only if its department delivered it
(:attr:`~simulation.pilot.Pilot.arrivals`) strictly before the as-of date, the observation date
itself — a decision made that morning cannot use data delivered later that day. Deliveries are per
department and period, the same for every enterprise; a period without a delivery record is unread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.dataset import Dataset, Kind
from scoring.errors import FeatureError
from scoring.features import FEATURES, SERIES, WINDOW, Windows, compute, first_day, month_index, vectors
from scoring.vector import FeatureSpec, FeatureVector
from simulation.pilot import Delivery, Outcome, Pilot, Row

_NEVER = date.max.toordinal() + 1


@dataclass(frozen=True, eq=False)
class PilotTable:
    """Feature vectors, targets (1 = defaulted) and as-of periods, one per enterprise, in pilot order."""

    rows: list[FeatureVector]
    target: NDArray[np.int8]
    observed: list[str]  # the as-of period (YYYY-MM): features read only periods before it
    credit_codes: list[str]
    sizes: list[str]  # micro, small or medium: what a product policy sets limits by
    specs: tuple[FeatureSpec, ...] = FEATURES

    def __post_init__(self) -> None:
        n, names = len(self.rows), tuple(s.name for s in self.specs)
        if not len(self.target) == len(self.observed) == len(self.credit_codes) == len(self.sizes) == n:
            raise FeatureError("a pilot table needs one target, period, credit code and size per row")
        if any(row.names != names for row in self.rows):
            raise FeatureError("every row of a pilot table must carry the spec's features in order")

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """Name → column: float64 with NaN for missing numerics, object arrays (str or None) for categoricals."""
        out: dict[str, NDArray[Any]] = {}
        for i, spec in enumerate(self.specs):
            cells = [row.data[i] for row in self.rows]
            if spec.kind == "numeric":
                out[spec.name] = np.asarray([np.nan if v is None else v for v in cells], dtype=np.float64)
            else:
                out[spec.name] = np.empty(len(cells), dtype=object)
                out[spec.name][:] = cells
        return out

    @property
    def kinds(self) -> dict[str, Kind]:
        return {s.name: s.kind for s in self.specs}

    @property
    def monotone(self) -> dict[str, int]:
        return {s.name: int(s.monotone) for s in self.specs}

    @property
    def descriptions(self) -> dict[str, str]:
        return {s.name: s.description for s in self.specs}

    def oot_mask(self, cut: str) -> NDArray[np.bool_]:
        """True for rows observed at or after ``cut`` (YYYY-MM): the out-of-time sample."""
        threshold = month_index(cut)
        return np.asarray([month_index(p) >= threshold for p in self.observed], dtype=np.bool_)

    def to_dataset(self) -> Dataset:
        """The table as a :class:`scoring.dataset.Dataset` (columns, target, kinds, monotone directions)."""
        return Dataset(self.to_columns(), self.target, self.kinds, self.monotone)


def build(pilot: Pilot, *, as_of_from_outcome: bool = True, lags: bool = True) -> PilotTable:
    """Every enterprise's features at its as-of period, with its default outcome (see the module docstring)."""
    codes = [str(e.credit_code) for e in pilot.enterprises]
    firms = {code: i for i, code in enumerate(codes)}
    outcomes = _aligned_outcomes(pilot.outcomes, firms)
    if as_of_from_outcome:
        days = [o.observation_date for o in outcomes]
        end = np.asarray([d.year * 12 + d.month - 1 for d in days], dtype=np.int64)
        cutoff = np.asarray([d.toordinal() for d in days], dtype=np.int64)
    else:
        last = month_index(pilot.periods[-1]) + 1
        end = np.full(len(codes), last, dtype=np.int64)
        cutoff = np.full(len(codes), first_day(last).toordinal(), dtype=np.int64)
    if not lags:
        cutoff = np.full(len(codes), np.iinfo(np.int64).max, dtype=np.int64)  # even undelivered periods
    series: dict[tuple[str, str], NDArray[np.float64]] = {}
    for category, fields in SERIES.items():
        delivered = _delivered(pilot.arrivals.get(category, ()))
        series.update(_windows(pilot.records.get(category, []), category, fields, firms, end, cutoff, delivered))
    registration = _registration(pilot.records.get("registration", []), firms, end, cutoff,
                                 _delivered(pilot.arrivals.get("registration", ())))
    rows = vectors(compute(Windows(series, *registration)))
    observed = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in end.tolist()]
    target = np.asarray([o.defaulted for o in outcomes], dtype=np.int8)
    return PilotTable(rows, target, observed, codes, [e.size for e in pilot.enterprises])


def _aligned_outcomes(outcomes: Sequence[Outcome], firms: Mapping[str, int]) -> list[Outcome]:
    by_code = {str(o.credit_code): o for o in outcomes}
    missing = [code for code in firms if code not in by_code]
    if missing:
        raise FeatureError(f"{len(missing)} enterprises have no outcome, e.g. {missing[0]}")
    return [by_code[code] for code in firms]


def _delivered(deliveries: Sequence[Delivery]) -> dict[str, int]:
    """Period → date ordinal of its delivery."""
    return {d.period: d.delivered.toordinal() for d in deliveries}


def _windows(
    rows: Sequence[Row], category: str, fields: Sequence[str], firms: Mapping[str, int],
    end: NDArray[np.int64], cutoff: NDArray[np.int64], delivered: Mapping[str, int],
) -> dict[tuple[str, str], NDArray[np.float64]]:
    """n by WINDOW arrays of ``fields``: the rows in each enterprise's window that arrived before its cutoff."""
    n = len(end)
    firm = np.fromiter(map(firms.__getitem__, map(itemgetter("credit_code"), rows)), np.int64, len(rows))
    periods = list(map(itemgetter("period"), rows))
    distinct = sorted(set(periods))
    position = {p: i for i, p in enumerate(distinct)}
    which = np.fromiter(map(position.__getitem__, periods), np.int64, len(rows))
    month = np.asarray([month_index(str(p)) for p in distinct], dtype=np.int64)[which]
    arrival = np.asarray([delivered.get(str(p), _NEVER) for p in distinct], dtype=np.int64)[which]
    k = month - end[firm] + WINDOW
    keep = (k >= 0) & (k < WINDOW) & (arrival < cutoff[firm])
    out = {}
    for f in fields:
        values = np.fromiter(map(itemgetter(f), rows), np.float64, len(rows))
        grid = np.full((n, WINDOW), np.nan)
        grid[firm[keep], k[keep]] = values[keep]
        out[(category, f)] = grid
    return out


def _registration(
    rows: Sequence[Row], firms: Mapping[str, int], end: NDArray[np.int64], cutoff: NDArray[np.int64],
    delivered: Mapping[str, int],
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], NDArray[np.object_]]:
    """(known, age in years, capital, industry) from each enterprise's latest snapshot before its as-of period."""
    n = len(end)
    registered, age, capital = np.zeros(n, dtype=np.bool_), np.full(n, np.nan), np.full(n, np.nan)
    industry = np.full(n, None, dtype=object)
    latest: dict[int, str] = {}
    for row in rows:
        i, period = firms[str(row["credit_code"])], str(row["period"])
        usable = month_index(period) < end[i] and delivered.get(period, _NEVER) < cutoff[i]
        if not usable or latest.get(i, "") > period:
            continue
        latest[i] = period
        registered[i], capital[i] = True, float(row["registered_capital"])
        age[i] = (first_day(int(end[i])) - date.fromisoformat(str(row["established"]))).days / 365.25
        industry[i] = str(row["industry"])
    return registered, age, capital, industry


def arrived_by(arrivals: Mapping[str, Sequence[Delivery]], when: date) -> dict[str, frozenset[str]]:
    """Category → the periods delivered strictly before ``when``: :func:`scoring.features.extract`'s ``arrived``."""
    return {c: frozenset(d.period for d in ds if d.delivered < when) for c, ds in arrivals.items()}


def by_enterprise(pilot: Pilot) -> dict[str, dict[str, list[Row]]]:
    """Credit code → category → that enterprise's rows (the records one enterprise would be read for)."""
    out: dict[str, dict[str, list[Row]]] = {e.credit_code: {} for e in pilot.enterprises}
    for category, rows in pilot.records.items():
        for row in rows:
            out[str(row["credit_code"])].setdefault(category, []).append(row)
    return out
