"""The catalogue's tables (Alembic revision 0002), the way in for ingestion, and counts.

:class:`CatalogueWriter` is for ingestion: it stores batches, encrypted records, rejected rows
and arrival times, and answers which keys are already stored. Records are read back only by
:class:`~ledger.catalogue.reader.RecordReader`, which the gate alone may import.
:class:`SupplyStats` gives counts per department for the data-aggregation assessment, never data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_meta = sa.MetaData()
batches = sa.Table(
    "catalogue_batches", _meta,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("department", sa.String(40)),
    sa.Column("provider", sa.String(42)),
    sa.Column("received_at", sa.String(32)),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("rows_total", sa.Integer),
    sa.Column("rows_stored", sa.Integer),
    sa.Column("event_index", sa.BigInteger),
)
records = sa.Table(
    "catalogue_records", _meta,
    sa.Column("department", sa.String(40), primary_key=True),
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("batch_id", sa.String(64)),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("sealed", sa.LargeBinary),
)
rejections = sa.Table(
    "catalogue_rejections", _meta,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("row_number", sa.Integer, primary_key=True),
    sa.Column("reason", sa.Text),
)
arrivals = sa.Table(
    "catalogue_arrivals", _meta,
    sa.Column("department", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("first_arrival", sa.String(32)),
)


@dataclass(frozen=True)
class Batch:
    batch_id: str
    department: str
    provider: str
    received_at: str
    content_hash: str
    rows_total: int
    rows_stored: int
    event_index: int | None = None


@dataclass(frozen=True)
class StoredRecord:
    department: str
    subject: str
    period: str
    content_hash: str
    sealed: bytes


class CatalogueWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stored_keys(self, department: str, subjects: Iterable[str]) -> set[tuple[str, str]]:
        """(subject, period) already stored for ``department`` among ``subjects``."""
        wanted = sorted(set(subjects))
        found: set[tuple[str, str]] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), 5_000):
                q = sa.select(records.c.subject, records.c.period).where(
                    records.c.department == department, records.c.subject.in_(wanted[i : i + 5_000]))
                found.update((str(s), str(p)) for s, p in conn.execute(q))
        return found

    def store(self, batch: Batch, stored: Sequence[StoredRecord], rejected: Sequence[tuple[int, str]]) -> None:
        """The batch, its records, its rejections and first arrivals, in one commit."""
        with self.engine.begin() as conn:
            conn.execute(batches.insert().values(**batch.__dict__))
            if stored:
                conn.execute(records.insert(), [{**r.__dict__, "batch_id": batch.batch_id} for r in stored])
            if rejected:
                conn.execute(rejections.insert(),
                             [{"batch_id": batch.batch_id, "row_number": n, "reason": why} for n, why in rejected])
            periods = {r.period for r in stored}
            known = {str(p) for (p,) in conn.execute(sa.select(arrivals.c.period).where(
                arrivals.c.department == batch.department, arrivals.c.period.in_(periods)))}
            fresh = [{"department": batch.department, "period": p, "first_arrival": batch.received_at}
                     for p in sorted(periods - known)]
            if fresh:
                conn.execute(arrivals.insert(), fresh)

    def unrecorded(self) -> list[Batch]:
        """Batches stored but whose INGEST event is not yet in the log (after a crash)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(batches).where(batches.c.event_index.is_(None)))
            return [Batch(**dict(r._mapping)) for r in rows]

    def recorded(self, batch_id: str, event_index: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(batches.update().where(batches.c.batch_id == batch_id).values(event_index=event_index))


class SupplyStats:
    """Counts per department for the assessment (R10): no record content."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self) -> dict[str, tuple[int, int]]:
        """department → (rows received, rows stored)."""
        q = sa.select(batches.c.department, sa.func.sum(batches.c.rows_total),
                      sa.func.sum(batches.c.rows_stored)).group_by(batches.c.department)
        with self.engine.connect() as conn:
            return {str(d): (int(t), int(s)) for d, t, s in conn.execute(q)}

    def coverage(self) -> tuple[int, set[str], dict[str, tuple[int, int]]]:
        """(enterprises known to any department, periods seen,
        dataset → (records stored, enterprises it covers))."""
        with self.engine.connect() as conn:
            subjects = int(conn.scalar(sa.select(sa.func.count(sa.distinct(records.c.subject)))) or 0)
            periods = {str(p) for (p,) in conn.execute(sa.select(records.c.period).distinct())}
            per = {str(d): (int(n), int(s)) for d, n, s in conn.execute(
                sa.select(records.c.department, sa.func.count(), sa.func.count(sa.distinct(records.c.subject)))
                .group_by(records.c.department))}
        return subjects, periods, per

    def arrivals(self) -> dict[str, list[tuple[str, str]]]:
        """department → [(period, first arrival time)]."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(arrivals.c.department, arrivals.c.period, arrivals.c.first_arrival))
            out: dict[str, list[tuple[str, str]]] = {}
            for d, p, t in rows:
                out.setdefault(str(d), []).append((str(p), str(t)))
        return out
