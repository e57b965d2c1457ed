"""The catalogue's index columns for a trace: which content hashes and batches hold a subject's or a
dataset's records, and the log index of each batch's INGEST (or correction's TRANSFORM) event.

Only ``department``, ``subject``, ``batch_id``, ``content_hash`` and ``event_index`` are read: never a
sealed record (the gate alone opens those). These links are the platform's word, not the chain's: an
INGEST event names a whole batch, not its enterprises, so which batch held whose rows comes from here.
The events they point to are still each proved against the chain.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ledger.catalogue.store import batches, records, versions


def of_subject(engine: Engine, subject: str) -> tuple[frozenset[str], frozenset[int]]:
    """(content hashes of every version of the subject's records, log indexes of the batches' events)."""
    return _found(engine, records.c.subject == subject, versions.c.subject == subject)


def of_dataset(engine: Engine, dataset: str) -> tuple[frozenset[str], frozenset[int]]:
    """(content hashes of every version of the dataset's records, log indexes of its batches' events)."""
    hashes, _ = _found(engine, records.c.department == dataset, versions.c.department == dataset)
    with engine.connect() as conn:
        indexes = conn.scalars(sa.select(batches.c.event_index).where(
            batches.c.department == dataset, batches.c.event_index.is_not(None)))
        return hashes, frozenset(int(i) for i in indexes)


def _found(engine: Engine, current: sa.ColumnElement[bool],
           older: sa.ColumnElement[bool]) -> tuple[frozenset[str], frozenset[int]]:
    with engine.connect() as conn:
        rows = [*conn.execute(sa.select(records.c.content_hash, records.c.batch_id).where(current)),
                *conn.execute(sa.select(versions.c.content_hash, versions.c.batch_id).where(older)),
                *conn.execute(sa.select(versions.c.replaced_with, versions.c.replaced_by).where(older))]
        ids = sorted({str(b) for _, b in rows if b is not None})
        indexes = [int(i) for part in range(0, len(ids), 5_000) for i in conn.scalars(
            sa.select(batches.c.event_index).where(batches.c.batch_id.in_(ids[part:part + 5_000]),
                                                   batches.c.event_index.is_not(None)))]
    return frozenset(str(h) for h, _ in rows if h is not None), frozenset(indexes)


def datasets_of(engine: Engine, batch_hashes: frozenset[str]) -> dict[str, str]:
    """Batch content hash → the dataset it delivered (an INGEST names the batch by its hash alone)."""
    wanted = sorted(batch_hashes)
    with engine.connect() as conn:
        return {str(h): str(d) for part in range(0, len(wanted), 5_000) for h, d in conn.execute(
            sa.select(batches.c.content_hash, batches.c.department).where(
                batches.c.content_hash.in_(wanted[part:part + 5_000])))}
