"""The product policy: a probability of default and a size class become a decision (seeds R1, R8, R11).

A :class:`Policy` is pure data, versioned, and named by its :attr:`Policy.policy_id`, the SHA-256 of
its RFC 8785 canonical JSON, so a signed decision record can say exactly which terms it applied and a
replay can re-apply them. :meth:`Policy.decide` turns (PD, size class, data coverage) into a
:class:`Decision`:

- decline when the PD is above ``max_pd_approve``, when the size class has no base limit, or when the
  limit rounds down to nothing;
- limit = the size class's base limit x the multiplier of the first ``limit_by_pd`` band whose upper PD
  bound holds the PD (x ``full_data_uplift`` when the platform holds at least ``full_data_coverage`` of
  the enterprise's key datasets: seeds 004, "提高放款额度" once the data is fully pooled), rounded down to
  whole ``limit_step`` yuan;
- rate = ``base_rate`` + the spread of the first ``rate_by_pd`` band holding the PD (the last band's
  beyond it). A declined decision quotes that rate for information, with limit 0.

Bands must be ordered so that a higher PD never gives a higher limit or a lower rate (checked when a
policy is made). :data:`DEFAULT_POLICY` states the defaults chosen for R11 in its notes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import rfc8785

from scoring.errors import ScoringError

FORMAT = "credtrace-policy/1"
Bands = tuple[tuple[float, float], ...]


class PolicyError(ScoringError, ValueError):
    """A policy is malformed, or a decision was asked for with a PD outside [0, 1]."""


@dataclass(frozen=True)
class Decision:
    approve: bool
    limit: int  # yuan; 0 when declined
    rate: float  # annual interest rate (0.045 = 4.5 %); informative only when declined
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    version: str
    max_pd_approve: float
    scale_limits: Mapping[str, int]  # size class → base limit in yuan
    limit_by_pd: Bands  # (PD upper bound, limit multiplier), bounds rising, multipliers not rising
    base_rate: float  # annual, e.g. the one-year loan prime rate
    rate_by_pd: Bands  # (PD upper bound, spread over base_rate), bounds rising, spreads not falling
    tolerance_notes: tuple[str, ...] = ()
    limit_step: int = 10_000  # limits are whole multiples of this many yuan
    full_data_coverage: float = 1.0  # share of key datasets held at which the uplift applies
    full_data_uplift: float = 1.0  # limit multiplier once the data is fully pooled (>= 1)
    _id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "scale_limits", MappingProxyType({str(k): _whole(v, k) for k, v in self.scale_limits.items()}))
        put(self, "limit_by_pd", _bands(self.limit_by_pd, "limit_by_pd"))
        put(self, "rate_by_pd", _bands(self.rate_by_pd, "rate_by_pd"))
        put(self, "tolerance_notes", tuple(str(n) for n in self.tolerance_notes))
        for name in ("max_pd_approve", "base_rate", "full_data_coverage", "full_data_uplift"):
            put(self, name, _finite(getattr(self, name), name))
        put(self, "limit_step", _whole(self.limit_step, "limit_step"))
        self._check()
        put(self, "_id", hashlib.sha256(self.canonical()).hexdigest())

    def _check(self) -> None:
        problems = [
            (not self.version, "a policy needs a version"),
            (not 0 < self.max_pd_approve <= 1, "max_pd_approve must be in (0, 1]"),
            (not self.scale_limits, "scale_limits must name at least one size class"),
            (self.limit_step < 1, "limit_step must be at least 1 yuan"),
            (self.limit_by_pd[-1][0] < self.max_pd_approve, "limit_by_pd must reach max_pd_approve"),
            (any(m < 0 for _, m in self.limit_by_pd), "limit multipliers must not be negative"),
            (_rises(m for _, m in self.limit_by_pd), "limit multipliers must not rise with PD"),
            (_falls(s for _, s in self.rate_by_pd), "rate spreads must not fall with PD"),
            (self.base_rate + self.rate_by_pd[0][1] < 0, "rates must not be negative"),
            (not 0 <= self.full_data_coverage <= 1, "full_data_coverage must be in [0, 1]"),
            (self.full_data_uplift < 1, "full_data_uplift must be at least 1"),
        ]
        for bad, message in problems:
            if bad:
                raise PolicyError(f"policy {self.version!r}: {message}")

    @property
    def policy_id(self) -> str:
        """SHA-256 (hex) of :meth:`canonical`."""
        return self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": self.version, "max_pd_approve": self.max_pd_approve,
            "scale_limits": dict(self.scale_limits), "limit_by_pd": [list(b) for b in self.limit_by_pd],
            "base_rate": self.base_rate, "rate_by_pd": [list(b) for b in self.rate_by_pd],
            "tolerance_notes": list(self.tolerance_notes), "limit_step": self.limit_step,
            "full_data_coverage": self.full_data_coverage, "full_data_uplift": self.full_data_uplift,
        }

    def canonical(self) -> bytes:
        """RFC 8785 (JSON Canonicalization Scheme) bytes of :meth:`as_json`."""
        return rfc8785.dumps(self.as_json())

    def to_json(self) -> str:
        return self.canonical().decode("utf-8")

    @classmethod
    def from_json(cls, text: str | bytes) -> Policy:
        try:
            data = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise PolicyError(f"not a policy: {e}") from e
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise PolicyError(f"not a policy of format {FORMAT!r}")
        try:
            return cls(**{**data, "limit_by_pd": tuple(map(tuple, data["limit_by_pd"])),
                          "rate_by_pd": tuple(map(tuple, data["rate_by_pd"]))})
        except (KeyError, TypeError, ValueError) as e:
            raise PolicyError(f"not a policy: {e}") from e

    def decide(self, pd: float, size: str, *, data_coverage: float | None = None) -> Decision:
        """The decision for an enterprise of ``size`` with probability of default ``pd`` (0-1).

        ``data_coverage``: the share (0-1) of its key datasets the platform holds; None = not known.
        """
        if isinstance(pd, bool) or not isinstance(pd, int | float) or not 0 <= pd <= 1:
            raise PolicyError(f"a probability of default is a number in [0, 1], got {pd!r}")
        if data_coverage is not None and not 0 <= data_coverage <= 1:
            raise PolicyError(f"data coverage is a share in [0, 1], got {data_coverage!r}")
        spread = _band(self.rate_by_pd, pd, default=self.rate_by_pd[-1][1])
        rate = round(self.base_rate + spread, 6)
        priced = f"rate {rate:.2%} = base {self.base_rate:.2%} + spread {spread:.2%} for PD {pd:.2%}"
        if size not in self.scale_limits:
            covered = ", ".join(self.scale_limits)
            return Decision(False, 0, rate, (f"size class {size!r} is not covered by this product ({covered})",))
        if pd > self.max_pd_approve:
            reason = f"PD {pd:.2%} is above the approval threshold of {self.max_pd_approve:.2%}"
            return Decision(False, 0, rate, (reason,))
        limit, why = self._limit(pd, size, data_coverage)
        if limit < 1:
            return Decision(False, 0, rate, (*why, f"the limit rounds down to nothing (steps of {self.limit_step:,})"))
        return Decision(True, limit, rate, (*why, priced))

    def _limit(self, pd: float, size: str, data_coverage: float | None) -> tuple[int, list[str]]:
        base, multiplier = self.scale_limits[size], _band(self.limit_by_pd, pd, default=0.0)
        why = [f"limit {multiplier:.0%} of the {size} base limit of {base:,} yuan for PD {pd:.2%}"]
        uplift = 1.0
        if data_coverage is not None and data_coverage >= self.full_data_coverage and self.full_data_uplift > 1:
            uplift = self.full_data_uplift
            why.append(f"limit raised {uplift:.0%} as the platform holds {data_coverage:.0%} of the key datasets")
        steps = math.floor(round(base * multiplier * uplift / self.limit_step, 9))
        return steps * self.limit_step, why


def _band(bands: Bands, pd: float, default: float) -> float:
    return next((value for upper, value in bands if pd <= upper), default)


def _bands(raw: Any, name: str) -> Bands:
    try:
        bands = tuple((_finite(u, name), _finite(v, name)) for u, v in raw)
    except (TypeError, ValueError):
        raise PolicyError(f"{name} must be a list of (PD upper bound, value) pairs") from None
    uppers = [u for u, _ in bands]
    if not bands or any(not 0 < u <= 1 for u in uppers) or _rises(-u for u in uppers) or len(set(uppers)) < len(bands):
        raise PolicyError(f"{name}: PD upper bounds must be in (0, 1] and strictly rising")
    return bands


def _rises(values: Any) -> bool:
    return any(b > a for a, b in itertools.pairwise(values))


def _falls(values: Any) -> bool:
    return _rises(-v for v in values)


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyError(f"{name}: expected a whole number >= 0, got {value!r}")
    return value


DEFAULT_POLICY = Policy(
    version="commercial-value-credit/2025.1",
    max_pd_approve=0.12,
    scale_limits={"micro": 1_000_000, "small": 3_000_000, "medium": 5_000_000},
    limit_by_pd=((0.01, 1.0), (0.02, 0.9), (0.04, 0.75), (0.06, 0.6), (0.09, 0.45), (0.12, 0.3)),
    base_rate=0.03,
    rate_by_pd=((0.01, 0.004), (0.02, 0.007), (0.04, 0.011), (0.06, 0.015), (0.09, 0.02), (0.12, 0.027)),
    tolerance_notes=(
        "R11 higher tolerance of bad loans: approve up to a 12% one-year PD, about 1.5 times the pilot's 8% "
        "default rate, so most enterprises the data can see are served.",
        "R11 relaxed conditions: no collateral, no guarantor, no minimum age or size; limits fall with PD "
        "instead of a hard cut, from 100% of the size class's base limit below 1% PD to 30% at 12%.",
        "At 12% PD and an assumed 60% loss given default the expected loss (7.2%) exceeds the highest spread (2.7%): "
        "the gap is what government risk compensation and government-bank loss sharing (R8) are for.",
        "Rates: the one-year loan prime rate (3.0%) plus 0.4 to 2.7 points by PD band, so at most 5.7%.",
        "Limits rise 20% when the platform holds at least 80% of the enterprise's key datasets (seeds 004).",
    ),
    limit_step=10_000,
    full_data_coverage=0.8,
    full_data_uplift=1.2,
)
"""The pilot's default terms; base limits by size class are assumptions to be set with the banks."""
