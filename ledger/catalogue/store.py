"""The catalogue's tables (Alembic revisions 0002 and 0010), the way in for ingestion, and counts.

:class:`CatalogueWriter` is for ingestion: it stores batches, encrypted records, the first rejected
rows and counts of all of them by reason, and arrival times, each batch in one transaction
(:meth:`CatalogueWriter.storing`), and answers which keys are already stored. A correction keeps the
version it replaces in ``catalogue_record_versions`` (append-only): no record is ever deleted.
Records are read back only by :class:`~ledger.catalogue.reader.RecordReader`, which the gate alone
may import.
:class:`SupplyStats` gives counts per department for the data-aggregation assessment, never data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

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
    sa.Column("claimed_at", sa.String(32)),
    sa.Column("kind", sa.String(10)),
)
records = sa.Table(
    "catalogue_records", _meta,
    sa.Column("department", sa.String(40), primary_key=True),
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("batch_id", sa.String(64)),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("sealed", sa.LargeBinary),
    sa.Column("version", sa.Integer),
)
versions = sa.Table(
    "catalogue_record_versions", _meta,
    sa.Column("department", sa.String(40), primary_key=True),
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("batch_id", sa.String(64)),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("sealed", sa.LargeBinary),
    sa.Column("replaced_by", sa.String(64)),
    sa.Column("replaced_with", sa.String(64)),
)
rejection_counts = sa.Table(
    "catalogue_rejection_counts", _meta,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(200), primary_key=True),
    sa.Column("rows", sa.Integer),
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
    claimed_at: str | None = None
    """The time the department says it sent the batch; ``received_at`` is the platform's own stamp."""
    kind: str = "ingest"
    """"ingest" (new records: INGEST) or "correction" (new versions of stored ones: TRANSFORM)."""


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

    @contextmanager
    def storing(self) -> Iterator[BatchWriter]:
        """One transaction for one batch: all of it is stored, or (an exception) nothing."""
        with self.engine.begin() as conn:
            yield BatchWriter(conn)

    def corrections(self, batch_id: str) -> tuple[list[str], list[str]]:
        """(content hashes replaced, content hashes that replaced them) by correction ``batch_id``."""
        q = (sa.select(versions.c.content_hash, versions.c.replaced_with)
             .where(versions.c.replaced_by == batch_id).order_by(versions.c.department, versions.c.subject,
                                                                 versions.c.period, versions.c.version))
        with self.engine.connect() as conn:
            pairs = [(str(old), str(new)) for old, new in conn.execute(q)]
        return [old for old, _ in pairs], [new for _, new in pairs]

    def batch(self, batch_id: str) -> Batch | None:
        """The batch stored as ``batch_id``, if one is."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(batches).where(batches.c.batch_id == batch_id)).first()
        return Batch(**dict(row._mapping)) if row is not None else None

    def unrecorded(self) -> list[Batch]:
        """Batches stored but whose INGEST event is not yet in the log (after a crash)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(batches).where(batches.c.event_index.is_(None)))
            return [Batch(**dict(r._mapping)) for r in rows]

    def recorded(self, batch_id: str, event_index: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(batches.update().where(batches.c.batch_id == batch_id).values(event_index=event_index))


class BatchWriter:
    """Writes of one batch, inside :meth:`CatalogueWriter.storing`'s transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def stored(self, department: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, int]]:
        """(subject, period) → (content hash, version) stored for ``department`` among ``keys``. Only the
        periods asked for are read: a monthly batch used to read back every earlier month of its
        enterprises too, more rows with each month."""
        wanted = set(keys)
        subjects, periods = sorted({s for s, _ in wanted}), sorted({p for _, p in wanted})
        found: dict[tuple[str, str], tuple[str, int]] = {}
        for i in range(0, len(subjects), 5_000):
            q = sa.select(records.c.subject, records.c.period, records.c.content_hash, records.c.version).where(
                records.c.department == department, records.c.subject.in_(subjects[i : i + 5_000]),
                records.c.period.in_(periods))
            found.update({(str(s), str(p)): (str(h), int(v or 1)) for s, p, h, v in self.conn.execute(q)})
        return {key: value for key, value in found.items() if key in wanted}

    def add(self, batch_id: str, stored: Sequence[StoredRecord]) -> None:
        if stored:
            self.conn.execute(records.insert(), [{**r.__dict__, "batch_id": batch_id, "version": 1} for r in stored])

    def replace(self, batch_id: str, stored: Sequence[StoredRecord]) -> None:
        """New versions of stored records; each old one is kept in ``catalogue_record_versions``."""
        for r in stored:
            where = (records.c.department == r.department, records.c.subject == r.subject,
                     records.c.period == r.period)
            old = self.conn.execute(sa.select(records).where(*where)).one()._mapping
            self.conn.execute(versions.insert().values(**dict(old), replaced_by=batch_id,
                                                       replaced_with=r.content_hash))
            self.conn.execute(records.update().where(*where).values(
                batch_id=batch_id, content_hash=r.content_hash, sealed=r.sealed, version=int(old["version"]) + 1))

    def finish(self, batch: Batch, examples: Sequence[tuple[int, str]], counts: dict[str, int],
               periods: set[str]) -> None:
        """The batch row, its first rejected rows, its counts by reason, and first arrivals."""
        self.conn.execute(batches.insert().values(**batch.__dict__))
        if examples:
            self.conn.execute(rejections.insert(),
                              [{"batch_id": batch.batch_id, "row_number": n, "reason": why} for n, why in examples])
        if counts:
            self.conn.execute(rejection_counts.insert(),
                              [{"batch_id": batch.batch_id, "reason": k, "rows": n} for k, n in counts.items()])
        known = {str(p) for (p,) in self.conn.execute(sa.select(arrivals.c.period).where(
            arrivals.c.department == batch.department, arrivals.c.period.in_(periods)))}
        fresh = [{"department": batch.department, "period": p, "first_arrival": batch.received_at}
                 for p in sorted(periods - known)]
        if fresh:
            self.conn.execute(arrivals.insert(), fresh)


class SupplyStats:
    """Counts per department for the assessment (R10): no record content."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def rows(self) -> dict[str, tuple[int, int]]:
        """department → (rows received, rows stored), corrections not counted again."""
        q = sa.select(batches.c.department, sa.func.sum(batches.c.rows_total), sa.func.sum(batches.c.rows_stored)
                      ).where(batches.c.kind != "correction").group_by(batches.c.department)
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
