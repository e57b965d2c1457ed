"""The provenance log's SQL store: events as leaves, perfect-subtree nodes, checkpoints.

SQLite by default, PostgreSQL where it grows; the schema is Alembic's (``ledger/migrations``,
which :func:`~ledger.migrations.open_engine` applies)
and both tables of the log refuse UPDATE and DELETE by trigger. SQLite runs in WAL mode with
``synchronous=FULL``: an append is acknowledged only once it is on disk.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import LedgerError
from ledger.provenance import merkle
from ledger.provenance.merkle import NodeReader

_meta = sa.MetaData()
events = sa.Table(
    "log_events", _meta,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)
nodes = sa.Table(
    "log_nodes", _meta,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)
checkpoints = sa.Table(
    "log_checkpoints", _meta,
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("root", sa.LargeBinary(32), nullable=False),
    sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
    sa.Column("signature", sa.LargeBinary(64), nullable=False),
    sa.Column("anchor_tx", sa.String(66), nullable=True),
    sa.Column("anchor_block", sa.BigInteger, nullable=True),
)

batches = sa.Table(
    "log_batches", _meta,
    sa.Column("batch_key", sa.String(200), primary_key=True),
    sa.Column("first_index", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)

cosignatures = sa.Table(
    "log_cosignatures", _meta,
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cosigner", sa.String(200), primary_key=True),
    sa.Column("line", sa.Text, nullable=False),
)

sealed_leaves = sa.Table(
    "log_sealed_leaves", _meta,
    sa.Column("first_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hashes", sa.LargeBinary, nullable=False),
)
leaf_index = sa.Table(
    "log_leaf_index", _meta,
    sa.Column("leaf_hash", sa.LargeBinary(32), primary_key=True),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
)
leaf_index_size = sa.Table("log_leaf_index_size", _meta, sa.Column("size", sa.BigInteger, nullable=False))

T = TypeVar("T")
_CHUNK = 5_000  # rows per INSERT batch / keys per IN list
DERIVED = 3
"""Nodes below this level are not stored but folded from their leaves when read (migration 0007)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root: bytes
    timestamp_ms: int
    signature: bytes
    anchor_tx: str | None
    anchor_block: int | None


class WriterLock:
    """The log has one writer. On PostgreSQL that is an advisory lock held by the writer's
    session: a sequencer killed with SIGKILL may leave a COMMIT in flight that the server still
    applies, and its successor must not read the log's size before that session is gone.
    (SQLite commits in-process, so a dead writer has nothing in flight.)"""

    KEY = 0x63726564  # "cred"

    def __init__(self, engine: Engine, timeout: float = 30.0) -> None:
        self._conn: Connection | None = None
        if engine.dialect.name != "postgresql":
            return
        conn = engine.connect()
        deadline = time.monotonic() + timeout
        while not conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.KEY}):
            if time.monotonic() > deadline:
                conn.close()
                raise LedgerError(f"another sequencer has held the log's writer lock for {timeout:.0f} s")
            time.sleep(0.05)
        self._conn = conn

    def release(self) -> None:
        if self._conn is not None:
            self._conn.scalar(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.KEY})
            self._conn.close()
            self._conn = None


class LogStore(NodeReader):
    """Reads and appends. One writer at a time (the sequencer); readers anywhere."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._unit: Connection | None = None

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One transaction for everything this store writes and reads inside: committed at the end,
        or rolled back whole if the block raises (a ``log append`` of a file: all of it or nothing)."""
        with self.engine.begin() as conn:
            self._unit = conn
            try:
                yield
            finally:
                self._unit = None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        if self._unit is not None:
            yield self._unit
        else:
            with self.engine.begin() as conn:
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self._unit is not None:
            yield self._unit
        else:
            with self.engine.connect() as conn:
                yield conn

    def size(self) -> int:
        with self._reading() as conn:
            return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.max(events.c.idx) + 1, 0))))

    def append(self, start: int, leaves: Sequence[tuple[int, bytes, str]]) -> None:
        """Store ``leaves`` (index, leaf hash, canonical body), indices ``start…``, in one commit
        (or in the open :meth:`unit`)."""
        with self._writing() as conn:
            if self._size(conn) != start:
                raise LedgerError(f"log append at {start} but the log has {self._size(conn)} events")
            _bulk_insert(conn, events, leaves)

    def record_batch(self, batch_key: str, stored: range) -> None:
        """Remember that the batch ``batch_key`` was stored at ``stored`` (see :meth:`batch`): in the
        unit that stored it, so the key and the events are committed together."""
        with self._writing() as conn:
            conn.execute(batches.insert().values(batch_key=batch_key, first_index=stored.start, count=len(stored)))

    def batch(self, batch_key: str) -> range | None:
        """The indices the batch ``batch_key`` was appended at, or None if it never was."""
        with self._reading() as conn:
            row = conn.execute(sa.select(batches.c.first_index, batches.c.count)
                               .where(batches.c.batch_key == batch_key)).first()
        return None if row is None else range(int(row[0]), int(row[0]) + int(row[1]))

    def seal(self, new_nodes: Sequence[tuple[int, int, bytes]], head: StoredCheckpoint) -> None:
        """Store the nodes a seal computed and its signed checkpoint, in one commit.

        The new leaves (level 0) are kept packed in one row: a second copy of each leaf hash that an
        edit of ``log_events`` cannot reach (migration 0007). Levels 1 and 2 are not stored: a node
        there is the root of 2 or 4 leaves, cheaper to recompute when read than to write (they were
        three quarters of the rows)."""
        leaves = [n for n in new_nodes if n[0] == 0]
        with self._writing() as conn:
            _bulk_insert(conn, nodes, [n for n in new_nodes if n[0] >= DERIVED])
            if leaves:
                conn.execute(sealed_leaves.insert().values(first_index=leaves[0][1],
                                                           hashes=b"".join(h for _, _, h in leaves)))
            conn.execute(checkpoints.insert().values(**head.__dict__))

    def get_nodes(self, keys: Sequence[tuple[int, int]]) -> list[bytes]:
        """Sealed perfect-subtree hashes by (level, index); level 0 are the events' leaf hashes
        (a NodeReader)."""
        found: dict[tuple[int, int], bytes] = {}
        with self._reading() as conn:
            for part in _chunks(keys):
                by_level: dict[int, list[int]] = {}
                for level, idx in part:
                    by_level.setdefault(level, []).append(idx)
                found.update(_nodes_at(conn, by_level))
        missing = [k for k in keys if k not in found]
        if missing:
            raise LedgerError(f"log nodes missing from the store: {missing[:5]}")
        return [found[k] for k in keys]

    def leaves(self, start: int, end: int) -> Iterator[tuple[int, bytes, str]]:
        """(index, stored leaf hash, canonical body) for indices in [start, end), in order."""
        q = (sa.select(events.c.idx, events.c.leaf_hash, events.c.body)
             .where(events.c.idx >= start, events.c.idx < end).order_by(events.c.idx))
        with self._reading() as conn:
            for idx, leaf, body in conn.execution_options(yield_per=_CHUNK).execute(q):
                yield int(idx), bytes(leaf), str(body)

    def events_at(self, indexes: Sequence[int]) -> dict[int, tuple[bytes, str]]:
        """index → (stored leaf hash, canonical body) for each of ``indexes``, in few queries."""
        found: dict[int, tuple[bytes, str]] = {}
        with self._reading() as conn:
            for part in _chunks(sorted(set(indexes))):
                q = sa.select(events.c.idx, events.c.leaf_hash, events.c.body).where(events.c.idx.in_(part))
                found.update({int(i): (bytes(leaf), str(body)) for i, leaf, body in conn.execute(q)})
        return found

    def find(self, leaf_hash: bytes) -> int | None:
        """The first index holding ``leaf_hash``, if any: from the leaf index, else among the events
        appended since it was last brought up to date (:meth:`index_leaves`)."""
        with self._reading() as conn:
            found = conn.scalar(sa.select(sa.func.min(leaf_index.c.idx)).where(leaf_index.c.leaf_hash == leaf_hash))
            if found is None:
                found = conn.scalar(sa.select(sa.func.min(events.c.idx)).where(
                    events.c.idx >= sa.select(leaf_index_size.c.size).scalar_subquery(),
                    events.c.leaf_hash == leaf_hash))
        return None if found is None else int(found)

    def index_leaves(self) -> None:
        """Bring the leaf index up to the log's size, in one sorted bulk insert (migration 0006).

        The index is a cache for :meth:`find`, filled by whoever looks events up by hash, not by the
        appends (a random B-tree insertion per event cost more than storing it). If another reader is
        filling it at the same moment (the database is locked, or it inserted the same rows first),
        this one leaves it to them: :meth:`find` scans what is not indexed yet."""
        try:
            with self._writing() as conn:
                indexed = int(conn.scalar(sa.select(leaf_index_size.c.size)) or 0)
                size = self._size(conn)
                if size > indexed:
                    conn.execute(leaf_index.insert().from_select(
                        ["leaf_hash", "idx"], sa.select(events.c.leaf_hash, events.c.idx)
                        .where(events.c.idx >= indexed).order_by(events.c.leaf_hash)))
                    conn.execute(leaf_index_size.update().values(size=size))
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            pass

    def sealed_leaves(self) -> Iterator[tuple[int, bytes]]:
        """(index, leaf hash as sealed), in order, from the packed copies the seals kept."""
        q = sa.select(sealed_leaves.c.first_index, sealed_leaves.c.hashes).order_by(sealed_leaves.c.first_index)
        with self._reading() as conn:
            for first, packed in conn.execution_options(yield_per=8).execute(q):
                for k in range(len(packed) // 32):
                    yield int(first) + k, bytes(packed[32 * k : 32 * k + 32])

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._reading() as conn:
            rows = conn.execute(sa.select(checkpoints).order_by(checkpoints.c.tree_size))
            return [_checkpoint(r) for r in rows]

    def newest_anchored(self) -> StoredCheckpoint | None:
        """The largest checkpoint anchored on chain, in one indexed read (the API serves it per request)."""
        q = (sa.select(checkpoints).where(checkpoints.c.anchor_tx.is_not(None))
             .order_by(checkpoints.c.tree_size.desc()).limit(1))
        with self._reading() as conn:
            row = conn.execute(q).one_or_none()
        return None if row is None else _checkpoint(row)

    def sealed_size(self) -> int:
        """The size of the newest checkpoint (0 before the first seal)."""
        with self._reading() as conn:
            return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.max(checkpoints.c.tree_size), 0))) or 0)

    def add_cosignature(self, tree_size: int, cosigner: str, line: str) -> None:
        """Keep a witness's cosignature line of the checkpoint at ``tree_size`` (the first one it gave)."""
        with self._writing() as conn:
            known = conn.scalar(sa.select(sa.func.count()).select_from(cosignatures).where(
                cosignatures.c.tree_size == tree_size, cosignatures.c.cosigner == cosigner))
            if not known:
                conn.execute(cosignatures.insert().values(tree_size=tree_size, cosigner=cosigner, line=line))

    def cosignature_lines(self, tree_size: int) -> list[str]:
        """The witnesses' signature lines of the checkpoint at ``tree_size``, by cosigner name."""
        q = (sa.select(cosignatures.c.line).where(cosignatures.c.tree_size == tree_size)
             .order_by(cosignatures.c.cosigner))
        with self._reading() as conn:
            return [str(line) for line in conn.scalars(q)]

    def mark_anchored(self, tree_size: int, tx_hash: str, block: int) -> None:
        with self._writing() as conn:
            conn.execute(checkpoints.update().where(checkpoints.c.tree_size == tree_size)
                         .values(anchor_tx=tx_hash, anchor_block=block))

    @staticmethod
    def _size(conn: Connection) -> int:
        return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.max(events.c.idx) + 1, 0))))


def _checkpoint(row: sa.Row[tuple[object, ...]]) -> StoredCheckpoint:
    m = row._mapping
    return StoredCheckpoint(int(m["tree_size"]), bytes(m["root"]), int(m["timestamp_ms"]),
                            bytes(m["signature"]), m["anchor_tx"], m["anchor_block"])


def _nodes_at(conn: Connection, by_level: dict[int, list[int]]) -> dict[tuple[int, int], bytes]:
    derived = [(level, i) for level in range(1, DERIVED) for i in by_level.pop(level, [])]
    leaves = by_level.pop(0, []) + [leaf for level, i in derived for leaf in range(i << level, (i + 1) << level)]
    params: dict[str, object] = {f"lv{j}": lv for j, lv in enumerate(by_level)}
    params |= {f"ix{j}": ix for j, ix in enumerate(by_level.values())} | ({"leaves": leaves} if leaves else {})
    rows = conn.execute(_nodes_by_level(len(by_level), bool(leaves)), params)
    found = {(int(r[0]), int(r[1])): bytes(r[2]) for r in rows}
    for level, i in derived:
        below = [(0, leaf) for leaf in range(i << level, (i + 1) << level)]
        if all(k in found for k in below):
            found[level, i] = merkle.reference_root([found[k] for k in below])
    return found


@functools.lru_cache(maxsize=128)
def _nodes_by_level(levels: int, leaves: bool) -> sa.TextClause:
    """Nodes by key in one statement, one ``(level = ? AND idx IN …)`` term per level: both SQLite and
    PostgreSQL answer it from the primary key, which a row-value IN does not get on SQLite. Level 0
    comes from the events' leaf hashes (and levels below DERIVED from level 0). Written once per shape: building it
    as an expression for every proof cost more than running it."""
    terms = " OR ".join(f"(level = :lv{j} AND idx IN :ix{j})" for j in range(levels))
    parts = [f"SELECT level, idx, hash FROM log_nodes WHERE {terms}"] if levels else []
    parts += ["SELECT 0, idx, leaf_hash FROM log_events WHERE idx IN :leaves"] if leaves else []
    expanding: list[sa.BindParameter[int]] = [sa.bindparam(f"ix{j}", expanding=True) for j in range(levels)]
    expanding += [sa.bindparam("leaves", expanding=True)] if leaves else []
    return sa.text(" UNION ALL ".join(parts)).bindparams(*expanding)


def _bulk_insert(conn: Connection, table: sa.Table, rows: Sequence[tuple[object, ...]]) -> None:
    """executemany straight to the driver: SQLAlchemy's per-row parameter processing costs
    more than the insert itself at tens of thousands of rows per seal."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(c.name for c in table.columns)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join([mark] * len(table.columns))})"
    for chunk in _chunks(rows):
        conn.exec_driver_sql(sql, list(chunk))


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]
