"""The pilot's calendar as the evaluation reads it: which simulated month a chain block or a log event
belongs to. Pure.

The chain's clock is the wall clock (the embedded devnet cannot travel in time), so a month is a label
the driver's journal puts on a range of blocks and a range of log events (``api.pilot.journal.Step``).
A month here starts at the first block (and the first log event) of its earliest step and runs until the
next month starts; the last month runs to the head. Whatever came before the first month (deployment,
registration, the policy, the pools) is :data:`SETUP`. A home without journal steps (``credtrace demo``,
or a platform run by hand) has one period, :data:`ALL`, from genesis to the head.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from api.pilot.journal import Step

SETUP = "setup"
"""Blocks and log events before the first month: the platform being set up."""
ALL = "all"
"""The one period of a home without journal steps."""


@dataclass(frozen=True)
class Period:
    label: str
    """``"2024-01"``, :data:`SETUP` or :data:`ALL`."""
    first_block: int
    first_log: int


@dataclass(frozen=True)
class Calendar:
    periods: tuple[Period, ...]
    """In order; each runs until the next one's first block (and first log event)."""

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.periods)

    @cached_property
    def _blocks(self) -> list[int]:
        return [p.first_block for p in self.periods]

    @cached_property
    def _logs(self) -> list[int]:
        return [p.first_log for p in self.periods]

    def of_block(self, block: int) -> str:
        return self.periods[max(0, bisect_right(self._blocks, block) - 1)].label

    def of_log(self, index: int) -> str:
        return self.periods[max(0, bisect_right(self._logs, index) - 1)].label

    def block_ends(self) -> tuple[tuple[str, int | None], ...]:
        """Each period and the first block after it (None for the last: the head)."""
        return tuple((p.label, nxt.first_block if nxt else None) for p, nxt in _pairs(self.periods))

    def log_ends(self) -> tuple[tuple[str, int | None], ...]:
        """Each period and the first log index after it (None for the last)."""
        return tuple((p.label, nxt.first_log if nxt else None) for p, nxt in _pairs(self.periods))


def calendar(steps: Sequence[Step]) -> Calendar:
    """The months of the journal's ``steps`` (a month's earliest step starts it), after :data:`SETUP`;
    without steps, :data:`ALL`."""
    if not steps:
        return Calendar((Period(ALL, 0, 0),))
    months: dict[str, Period] = {}
    for step in steps:
        known = months.get(step.period, Period(step.period, step.first_block, step.log_from))
        months[step.period] = Period(step.period, min(step.first_block, known.first_block),
                                     min(step.log_from, known.first_log))
    return Calendar((Period(SETUP, 0, 0), *(months[label] for label in sorted(months))))


def quarter(label: str) -> str:
    """``"2024-05"`` → ``"2024-Q2"``; :data:`SETUP` and :data:`ALL` stay as they are."""
    if label in (SETUP, ALL):
        return label
    year, month = label.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _pairs(periods: tuple[Period, ...]) -> list[tuple[Period, Period | None]]:
    return [(p, periods[i + 1] if i + 1 < len(periods) else None) for i, p in enumerate(periods)]
