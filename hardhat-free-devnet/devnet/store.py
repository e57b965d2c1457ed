"""The durable key-value store under py-evm: one SQLite file in WAL mode.

Durability rule: *one SQLite transaction per block*. Every write py-evm makes while a
block is built (state trie nodes, header, canonical pointers, transaction and receipt
tries) lands in a thread-local staging overlay opened by ``block_transaction()``; the
overlay, the log/transaction index rows and the metadata are then written in a single
``BEGIN IMMEDIATE ... COMMIT`` with ``synchronous=FULL``. When ``COMMIT`` returns the
block is on disk; a crash before it leaves no trace of the block. Writes outside a
block transaction are refused, so nothing can bypass the rule.

Only the thread that opened the block transaction sees its staged writes; every other
thread (RPC handlers) reads committed data through its own SQLite connection.

``SqliteReader`` is the read-only view another process (``devnet.resync``) takes of a store a node may be
serving: SQLite's ``mode=ro`` plus ``query_only``, so it cannot write even by mistake, and WAL mode lets
it read committed blocks while the node commits new ones.

Reads of trie nodes are memoised across threads: a node's key is the keccak of its value, so a
committed node never changes and the memo cannot go stale (other keys, such as the canonical
head, are never memoised). An ``eth_call`` reads its trie path again on every call, and mining
reads the paths the block's transactions touch: this saves most of those SQLite round trips.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eth.abc import AtomicWriteBatchAPI
from eth.db.atomic import AtomicDBWriteBatch
from eth.db.backends.base import BaseAtomicDB
from eth_utils.crypto import keccak

from devnet.errors import StoreError

_KV_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""

Row = tuple[Any, ...]
NODE_MEMO_ENTRIES = 200_000
"""Trie nodes held in memory (a few hundred bytes each); the oldest go first."""


class BlockWrite:
    """Everything one block changes; committed atomically by ``SqliteStore``."""

    def __init__(self) -> None:
        self.kv: dict[bytes, bytes | None] = {}
        self.rows: list[tuple[str, Sequence[Row]]] = []
        self.meta: dict[str, str] = {}

    def add_rows(self, sql: str, rows: Sequence[Row]) -> None:
        """Queue ``executemany(sql, rows)`` for the block's transaction."""
        self.rows.append((sql, rows))

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value


class SqliteStore(BaseAtomicDB):
    """py-evm ``AtomicDatabaseAPI`` on SQLite, written one block at a time."""

    def __init__(self, path: Path, schema: Sequence[str] = ()) -> None:
        self._path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        self._nodes: dict[bytes, bytes] = {}
        connection = self._connection()
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_KV_SCHEMA + "".join(schema))

    # -- key-value API used by py-evm ------------------------------------------------

    def __getitem__(self, key: bytes) -> bytes:
        staged = self._staged()
        if staged is not None and key in staged:
            value = staged[key]
            if value is None:
                raise KeyError(key)
            return value
        if (node := self._nodes.get(key)) is not None:
            return node
        row = self._connection().execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value = bytes(row[0])
        if len(key) == 32 and keccak(value) == key:
            self._remember(key, value)
        return value

    def _remember(self, key: bytes, node: bytes) -> None:
        if len(self._nodes) >= NODE_MEMO_ENTRIES:
            self._nodes.pop(next(iter(self._nodes)), None)
        self._nodes[key] = node

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._require_staged()[key] = value

    def __delitem__(self, key: bytes) -> None:
        staged = self._require_staged()
        if not self._exists(key):
            raise KeyError(key)
        staged[key] = None

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        with AtomicDBWriteBatch._commit_unless_raises(self) as batch:
            yield batch

    # -- block transactions ----------------------------------------------------------

    @contextmanager
    def block_transaction(self) -> Iterator[BlockWrite]:
        """Stage all writes of this thread; commit them in one transaction on exit."""
        if self._staged() is not None:
            raise StoreError("block transactions do not nest")
        write = BlockWrite()
        self._local.staged = write.kv
        try:
            yield write
            self._commit(write)
        finally:
            self._local.staged = None

    def _commit(self, write: BlockWrite) -> None:
        connection = self._connection()
        puts = [(key, value) for key, value in write.kv.items() if value is not None]
        deletes = [(key,) for key, value in write.kv.items() if value is None]
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", puts)
                connection.executemany("DELETE FROM kv WHERE k = ?", deletes)
                for sql, rows in write.rows:
                    connection.executemany(sql, rows)
                connection.executemany("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", write.meta.items())
                connection.execute("COMMIT")
                for (key,) in deletes:
                    self._nodes.pop(key, None)
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    # -- SQL reads for the indexes ---------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a read-only query on committed data."""
        return self._connection().execute(sql, params).fetchall()

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT v FROM meta WHERE k = ?", (key,))
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        """Close every connection; the store is unusable afterwards."""
        with self._connections_lock:
            self._closed = True
            for _, connection in self._connections:
                connection.close()
            self._connections.clear()

    # -- connections -----------------------------------------------------------------

    def _staged(self) -> dict[bytes, bytes | None] | None:
        staged: dict[bytes, bytes | None] | None = getattr(self._local, "staged", None)
        return staged

    def _require_staged(self) -> dict[bytes, bytes | None]:
        staged = self._staged()
        if staged is None:
            raise StoreError("writes are only allowed inside block_transaction()")
        return staged

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._open_connection()
            self._local.connection = connection
        return connection

    def _open_connection(self) -> sqlite3.Connection:
        with self._connections_lock:
            if self._closed:
                raise StoreError(f"store {self._path} is closed")
            self._close_connections_of_dead_threads()
            connection = sqlite3.connect(
                self._path, timeout=30, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA cache_size=-16384")
            self._connections.append((threading.current_thread(), connection))
            return connection

    def _close_connections_of_dead_threads(self) -> None:
        alive = []
        for thread, connection in self._connections:
            if thread.is_alive():
                alive.append((thread, connection))
            else:
                connection.close()
        self._connections = alive


class SqliteReader(BaseAtomicDB):
    """A read-only py-evm key-value view of a store, for one thread; every write raises ``StoreError``."""

    def __init__(self, path: Path) -> None:
        if not Path(path).is_file():
            raise StoreError(f"no chain store at {path}")
        self._connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        self._connection.execute("PRAGMA query_only=1")

    def __getitem__(self, key: bytes) -> bytes:
        row = self._connection.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        raise StoreError("the store is opened read-only")

    def __delitem__(self, key: bytes) -> None:
        raise StoreError("the store is opened read-only")

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        raise StoreError("the store is opened read-only")
        yield  # pragma: no cover  (a generator, as the API wants)

    def values_of(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """The stored values of ``keys`` that exist, in one query per 500 keys."""
        found: dict[bytes, bytes] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._connection.execute(f"SELECT k, v FROM kv WHERE k IN ({marks})", chunk)
            found.update((bytes(key), bytes(value)) for key, value in rows)
        return found

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one committed state (a WAL read transaction), not a commit's two sides."""
        self._connection.execute("BEGIN")
        try:
            yield
        finally:
            self._connection.execute("ROLLBACK")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query (the connection refuses anything but reads)."""
        return self._connection.execute(sql, params).fetchall()

    def get_meta(self, key: str) -> str | None:
        try:
            row = self._connection.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:  # the first read: a file that is not a devnet store ends here
            raise StoreError(f"not a devnet store: {exc}") from exc
        return str(row[0]) if row else None

    def close(self) -> None:
        self._connection.close()
