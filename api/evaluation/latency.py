"""Decision latency (seeds R11, "faster approval"): seconds from an application's ``Applied`` event to its
``Decided`` event (the oracle quorum's final decision), each read off its block's timestamp. Pure.

Percentiles by the nearest-rank method (the smallest value at or below which at least p % of the values
lie: rank ⌈p/100 · n⌉ of the sorted values; Hyndman & Fan, "Sample quantiles in statistical packages",
The American Statistician 50(4), 1996, definition 1, the inverse of the empirical distribution function),
so each is a latency that was actually observed, an integer, with no interpolation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Percentiles:
    count: int
    p50: int | None
    p95: int | None
    max: int | None
    """Seconds; None when nothing was decided."""


@dataclass(frozen=True)
class Latency:
    application_id: int
    decided_block: int
    seconds: int


def nearest_rank(values: Sequence[int], p: int) -> int | None:
    """The ``p``-th percentile (0 < p ≤ 100) of ``values`` by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, -(-p * len(ordered) // 100)) - 1]


def percentiles(values: Sequence[int]) -> Percentiles:
    return Percentiles(len(values), nearest_rank(values, 50), nearest_rank(values, 95), max(values, default=None))


def latencies(applied: Sequence[Any], decided: Sequence[Any], timestamps: Sequence[int]) -> list[Latency]:
    """One per decided application: ``Applied`` and ``Decided`` are the LoanLedger's events (web3 EventData)."""
    asked: Mapping[int, int] = {int(e["args"]["applicationId"]): int(e["blockNumber"]) for e in applied}
    return [Latency(int(e["args"]["applicationId"]), int(e["blockNumber"]),
                    timestamps[int(e["blockNumber"])] - timestamps[asked[int(e["args"]["applicationId"])]])
            for e in decided]


def by_period(found: Sequence[Latency], period: Callable[[int], str], labels: Sequence[str]
              ) -> tuple[tuple[str, Percentiles], ...]:
    """The percentiles of the decisions made in each period (by the block of the decision)."""
    return tuple((label, percentiles([x.seconds for x in found if period(x.decided_block) == label]))
                 for label in labels)
