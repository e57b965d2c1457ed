"""The oracle's tables (migration 0013): cursor, cases, feature vectors and signed decision records.

Cases, vectors and records are written once (append-only triggers); the cursor is the one row that moves.
:func:`records_for` is what ``credtrace decision show`` reads: every record stored for an application,
one per oracle that decided it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from oracle.case import Case
from oracle.cursor import START, Cursor
from oracle.record import Checkpoint

metadata = sa.MetaData()
cursors = sa.Table("oracle_cursors", metadata, sa.Column("oracle", sa.String(42), primary_key=True),
                   sa.Column("block_number", sa.BigInteger), sa.Column("log_index", sa.Integer))
cases = sa.Table("oracle_cases", metadata, sa.Column("application_id", sa.BigInteger, primary_key=True),
                 sa.Column("access_events", sa.Text), sa.Column("tree_size", sa.BigInteger),
                 sa.Column("root_hash", sa.String(64)), sa.Column("decided_at", sa.String(40)),
                 sa.Column("opened_by", sa.String(42)))
vectors = sa.Table("feature_vectors", metadata, sa.Column("vector_hash", sa.String(64), primary_key=True),
                   sa.Column("canonical", sa.LargeBinary))
records = sa.Table("decision_records", metadata, sa.Column("application_id", sa.BigInteger, primary_key=True),
                   sa.Column("oracle", sa.String(42), primary_key=True), sa.Column("record", sa.LargeBinary),
                   sa.Column("record_hash", sa.String(64)), sa.Column("access_events", sa.Text),
                   sa.Column("created", sa.String(40)))


@dataclass(frozen=True)
class StoredRecord:
    application_id: int
    oracle: str
    record: bytes
    record_hash: str
    access_events: tuple[int, ...]
    """This oracle's own gate events (ACCESS, or DENIED) for the application."""
    created: str


def records_for(engine: Engine, application_id: int) -> list[bytes]:
    """Every signed record stored for ``application_id`` (DSSE envelopes, RFC 8785 bytes), by oracle."""
    q = sa.select(records.c.record).where(records.c.application_id == application_id).order_by(records.c.oracle)
    with engine.connect() as conn:
        return [bytes(r) for (r,) in conn.execute(q)]


def stored_record(engine: Engine, application_id: int, oracle: str) -> StoredRecord | None:
    q = sa.select(records).where(records.c.application_id == application_id, records.c.oracle == oracle)
    with engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    return StoredRecord(int(row.application_id), str(row.oracle), bytes(row.record), str(row.record_hash),
                        tuple(json.loads(row.access_events)), str(row.created))


def store_record(engine: Engine, r: StoredRecord) -> None:
    with engine.begin() as conn:
        conn.execute(records.insert().values(
            application_id=r.application_id, oracle=r.oracle, record=r.record, record_hash=r.record_hash,
            access_events=json.dumps(list(r.access_events)), created=r.created))


def store_vector(engine: Engine, digest: str, data: bytes) -> None:
    """Content-addressed: a vector already stored (same hash, same bytes) is left as it is."""
    with engine.begin() as conn:
        if conn.scalar(sa.select(vectors.c.vector_hash).where(vectors.c.vector_hash == digest)) is None:
            conn.execute(vectors.insert().values(vector_hash=digest, canonical=data))


def vector(engine: Engine, digest: str) -> bytes | None:
    with engine.connect() as conn:
        found = conn.scalar(sa.select(vectors.c.canonical).where(vectors.c.vector_hash == digest))
    return None if found is None else bytes(found)


def case(engine: Engine, application_id: int) -> Case | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(cases).where(cases.c.application_id == application_id)).first()
    if row is None:
        return None
    head = None if row.tree_size is None else Checkpoint(int(row.tree_size), str(row.root_hash))
    return Case(int(row.application_id), tuple(json.loads(row.access_events)), head, str(row.decided_at),
                str(row.opened_by))


def open_case(engine: Engine, c: Case) -> Case:
    """Record ``c`` unless another oracle opened the application's case first; the case that holds."""
    head = c.checkpoint
    try:
        with engine.begin() as conn:
            conn.execute(cases.insert().values(
                application_id=c.application_id, access_events=json.dumps(list(c.access_events)),
                tree_size=None if head is None else head.tree_size, root_hash=None if head is None else head.root_hash,
                decided_at=c.decided_at, opened_by=c.opened_by))
    except sa.exc.IntegrityError:
        pass
    held = case(engine, c.application_id)
    assert held is not None  # inserted now or before
    return held


def cursor(engine: Engine, oracle: str) -> Cursor:
    with engine.connect() as conn:
        row = conn.execute(sa.select(cursors.c.block_number, cursors.c.log_index)
                           .where(cursors.c.oracle == oracle)).first()
    return START if row is None else Cursor(int(row[0]), int(row[1]))


def move_cursor(engine: Engine, oracle: str, to: Cursor) -> None:
    with engine.begin() as conn:
        done = conn.execute(cursors.update().where(cursors.c.oracle == oracle)
                            .values(block_number=to.block_number, log_index=to.log_index))
        if done.rowcount == 0:
            conn.execute(cursors.insert().values(oracle=oracle, block_number=to.block_number,
                                                 log_index=to.log_index))
