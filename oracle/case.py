"""The case of an application: what every oracle's record cites, fixed once for all of them.

A k-of-n quorum counts identical record hashes, so the record's payload must not depend on which oracle
signs it. The features, the score and the decision are computed by each oracle alone (byte-deterministic
scoring makes them agree; a different model or feature store does not, and its hash is a disagreement
that never becomes final by itself). But three fields would differ by oracle if each chose them: the log
indexes of the ``ACCESS`` events the record cites, the checkpoint covering them, and the decision time.
So the first oracle to take an application reads through the gate, seals and anchors the log so a
checkpoint covers its reads, and records the **case** — those indexes, that checkpoint, that time
(RFC 3339, UTC, whole seconds) — in the shared database. Every oracle, the first included, then reads the
data itself (its own ``ACCESS`` events, named in its own ``DECISION`` event) and signs a record citing the
case's ``accessEvents``/``checkpoint``/``decidedAt`` with its own feature vector hash, score and decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from oracle.record import Checkpoint


@dataclass(frozen=True)
class Case:
    application_id: int
    access_events: tuple[int, ...]
    checkpoint: Checkpoint | None
    decided_at: str
    opened_by: str
    """The oracle that opened it (its account)."""


def rfc3339(seconds: float) -> str:
    """Unix seconds as RFC 3339 in UTC, whole seconds: ``2026-11-30T17:02:11Z``."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
