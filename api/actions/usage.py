"""Who used an enterprise's or a dataset's data: the provenance events ``ledger.lineage`` selects for
the target (the same selection ``credtrace audit trace`` makes), without the proofs, which are the
auditor's. An enterprise sees the uses of its data (``ACCESS``, ``OUTPUT``) and the refusals
(``DENIED``) about its pseudonym; a department sees everything that concerns its dataset.

The whole log is read and filtered here, in one pass (``LogStore.leaves`` streams it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from ledger.lineage import catalogue, timeline
from ledger.lineage.target import Target
from ledger.provenance import LogStore

USES = frozenset({"ACCESS", "OUTPUT", "DENIED"})
"""What an enterprise is shown about its data: who read it, who received it, who was refused."""


@dataclass(frozen=True)
class Use:
    index: int
    time: str
    action: str
    actor: str | None
    purpose: str | None
    consent: str | None
    request_id: str | None
    reason: str | None
    recipient: str | None
    why: str
    """Why the event concerns the target (``subject``, ``asset``, …: ``ledger.lineage.timeline``)."""


def of_enterprise(engine: Engine, subject: str) -> list[Use]:
    """ACCESS, OUTPUT and DENIED events about the enterprise whose pseudonym is ``subject``."""
    hashes, indexes = catalogue.of_subject(engine, subject)
    found = _selected(engine, Target("enterprise", subject, subject, hashes, indexes))
    return [u for u in found if u.action in USES]


def of_dataset(engine: Engine, dataset: str) -> list[Use]:
    """Every event that concerns ``dataset``: its batches, the reads of its records, the decisions citing them."""
    hashes, indexes = catalogue.of_dataset(engine, dataset)
    return _selected(engine, Target("dataset", dataset, hashes=hashes, indexes=indexes))


def _selected(engine: Engine, target: Target) -> list[Use]:
    store = LogStore(engine)
    return [_use(e) for e in timeline.select(list(store.leaves(0, store.size())), target)]


def _use(e: timeline.LogEntry) -> Use:
    ev: dict[str, Any] = e.event or {}

    def text(key: str) -> str | None:
        value = ev.get(key)
        return None if value is None else str(value)

    return Use(e.index, e.time, e.action, text("actor"), text("purpose"), text("consent"), text("request_id"),
               text("reason"), text("recipient"), e.why)
