"""What happens in each month of the pilot, decided before anything is sent: pure, deterministic in the
seed (one ``numpy.random.default_rng`` per concern, so adding a draw to one does not move the others).

The pilot's months are the chain's own calendar (:mod:`api.pilot.calendar`): each opens on its 1st, and the
oracle reads the :data:`WINDOW` months before an application's month. The world
(:func:`simulation.pilot.generate`) runs :data:`HISTORY` (a whole window) months before the pilot, so every
application's features see a full window, as the development sample's did (``api.pilot.models``). A month
ingests, on its 1st, what the departments delivered before that day (``Pilot.arrivals``: the department's
usual lag after a period ends, sometimes late): the first month the whole backlog, each later month the
deliveries dated in the month before it; so an application reads only data delivered before its day, as
``simulation.training`` reads the development sample (delivered strictly before the observation date, a
month's 1st). Rows an enterprise never had are missing, and a few bad rows (``simulation.defects``) come
with the tax bureau's delivery each quarter.

Enterprises consent (about a third of them, in the first half of the pilot, each to one bank); a few per
cent of those who consented and have not yet borrowed apply each month, for an amount by their size. One
consenting enterprise is caught giving false data (R9): sanctioned in the oversight of month
:func:`Plan.sanction_month`, it applies once more the next month and must be declined. The last bank
exits mid-pilot (R8): it makes no new applications, its approved loans not yet paid out are closed, its
loans keep being serviced. Quarter ends are monitored (PSI); one of them is a planned drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from api import ApiError
from simulation.pilot import Pilot

WINDOW = 12
"""The months an application's features read (``scoring.features.WINDOW``)."""
HISTORY = WINDOW
"""Months of the world before the pilot: the first month's applications read a whole window of them."""

CONSENT_SHARE = 0.35
APPLY_RATE = 0.05
"""A month's chance that a consenting enterprise which has not borrowed yet applies."""
DISTRESS = 3.0
"""How much likelier an enterprise heading for default within a year applies (adverse selection: a firm
short of cash seeks credit); its hidden outcome is the simulation's, the oracle never sees it."""
TERMS = (6, 12)
"""Working-capital loans of six months and one-year lines, in equal shares."""
TYPICAL_YUAN = {"micro": 300_000, "small": 1_000_000, "medium": 3_000_000}
LOAN_CAP_YUAN = 5_000_000
BAD_ROWS = 3
"""Bad rows in the tax bureau's delivery each quarter (``simulation.defects.with_bad_rows``)."""


@dataclass(frozen=True)
class Delivery:
    """One department's delivery of one period of one dataset, in a pilot month."""

    dataset: str
    period: str
    delivered: date
    bad_rows: int


@dataclass(frozen=True)
class Application:
    enterprise: int
    """Index into ``Pilot.enterprises``."""
    bank: int
    amount: int
    """Fen."""
    term_months: int


@dataclass(frozen=True)
class Month:
    index: int
    period: str
    """The month's label (YYYY-MM)."""
    deliveries: tuple[Delivery, ...]
    consents: tuple[tuple[int, int], ...]
    """(enterprise, bank)."""
    applications: tuple[Application, ...]
    sanction: int | None
    exit_bank: int | None
    quarter_end: bool
    drift: bool


@dataclass(frozen=True)
class Plan:
    months: tuple[Month, ...]
    banks: int
    sanctioned: int
    exiting_bank: int | None
    trouble: dict[int, int]
    """Enterprise → the pilot month from which it cannot pay (its hidden outcome's default month)."""

    def applications_before(self, month: int) -> int:
        return sum(len(m.applications) for m in self.months[:month])

    def sanction_month(self) -> int:
        return next(m.index for m in self.months if m.sanction is not None)


def make(world: Pilot, months: int, banks: int, seed: int) -> Plan:
    """The plan of a pilot of ``months`` over ``world``, whose periods before the pilot's are its history."""
    if months < 4 or banks < 2:
        raise ApiError("a pilot needs at least 4 months (a quarter, then a sanction's aftermath) and 2 banks "
                       "(one of them exits)")
    n = len(world.enterprises)
    consents = _consents(np.random.default_rng([seed, 1]), n, months, banks)
    sanctioned, when = _culprit(consents, months, banks)
    exit_month = months // 2
    trouble = _trouble(world, months)
    apps = _applications(np.random.default_rng([seed, 2]), world, consents, months, banks - 1, exit_month,
                         (sanctioned, when), trouble)
    deliveries = _deliveries(world, months)
    drift = 5 if months > 6 else 2  # a quarter's end with a month after it, for the new model to serve
    return Plan(tuple(
        Month(m, world.periods[len(world.periods) - months + m], tuple(deliveries[m]),
              tuple((e, b) for e, (cm, b) in consents.items() if cm == m), tuple(apps[m]),
              sanctioned if m == when else None, banks - 1 if m == exit_month else None,
              (m + 1) % 3 == 0, m == drift)
        for m in range(months)), banks, sanctioned, banks - 1, trouble)


def _consents(rng: np.random.Generator, n: int, months: int, banks: int) -> dict[int, tuple[int, int]]:
    """Enterprise → (month it consents, bank it consents to)."""
    agree = rng.random(n) < CONSENT_SHARE
    month = rng.integers(0, max(months // 2, 1), n)
    bank = rng.integers(0, banks, n)
    return {i: (int(month[i]), int(bank[i])) for i in np.flatnonzero(agree).tolist()}


def _culprit(consents: dict[int, tuple[int, int]], months: int, banks: int) -> tuple[int, int]:
    """The enterprise caught giving false data, and the month it is sanctioned: the first to consent (to a
    bank that stays) in the pilot's first month; sanctioned in month ``months // 3``."""
    when = max(months // 3, 1)
    staying = [e for e, (m, b) in sorted(consents.items()) if b != banks - 1 and m < when]
    if not staying:
        raise ApiError("too few enterprises for a pilot: none consents early to a bank that stays")
    return staying[0], when


def _applications(rng: np.random.Generator, world: Pilot, consents: dict[int, tuple[int, int]], months: int,
                  exiting: int, exit_month: int, culprit: tuple[int, int],
                  trouble: dict[int, int]) -> list[list[Application]]:
    out: list[list[Application]] = [[] for _ in range(months)]
    borrowed: set[int] = set()
    for m in range(months):
        for e, (cm, bank) in sorted(consents.items()):
            draw, scale, term = rng.random(), rng.lognormal(0, .4), TERMS[int(rng.integers(len(TERMS)))]
            gone = bank == exiting and m > exit_month
            rate = APPLY_RATE * (DISTRESS if m <= trouble.get(e, -1) <= m + 12 else 1.0)
            if cm > m or e in borrowed or gone or draw >= rate or e == culprit[0]:
                continue
            borrowed.add(e)
            out[m].append(Application(e, bank, _amount(world.enterprises[e].size, scale), term))
    sanctioned, when = culprit
    if when + 1 < months:  # its application after the sanction: the oracle must decline it
        out[when + 1].append(Application(sanctioned, consents[sanctioned][1],
                                         _amount(world.enterprises[sanctioned].size, 1.0), TERMS[-1]))
    return out


def _amount(size: str, scale: float) -> int:
    """Fen: the size's typical loan times ``scale``, in whole 10,000 yuan, at most the policy's loan cap."""
    yuan = min(max(round(TYPICAL_YUAN[size] * scale / 10_000) * 10_000, 10_000), LOAN_CAP_YUAN)
    return yuan * 100


def _deliveries(world: Pilot, months: int) -> list[list[Delivery]]:
    """Each delivery in the pilot month after the one its date falls in (ingested on that month's 1st, before
    the month's applications); the backlog in the first; a delivery dated in the last month, in none."""
    first = _month_number(world.periods[-months])
    out: list[list[Delivery]] = [[] for _ in range(months)]
    for dataset, arrivals in world.arrivals.items():
        for d in arrivals:
            m = max(d.delivered.year * 12 + d.delivered.month - first, 0)
            if m < months:
                bad = BAD_ROWS if dataset == "tax" and (m + 1) % 3 == 0 and m > 0 else 0
                out[m].append(Delivery(dataset, d.period, d.delivered, bad))
    return [sorted(ds, key=lambda d: (d.delivered, d.dataset, d.period)) for ds in out]


def _trouble(world: Pilot, months: int) -> dict[int, int]:
    """Enterprise → pilot month of its default (its hidden health's outcome); a default before the pilot
    counts from its first month."""
    first = _month_number(world.periods[-months])
    return {i: max(_month_number(o.default_period) - first, 0)
            for i, o in enumerate(world.outcomes) if o.default_period is not None}


def _month_number(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def period_before(period: str, months: int) -> str:
    """The label ``months`` before ``period`` (YYYY-MM)."""
    n = _month_number(period) - months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def quarter_months(plan: Plan, month: int) -> Sequence[int]:
    """The months of the quarter that ends in ``month``."""
    return range(max(month - 2, 0), month + 1)
