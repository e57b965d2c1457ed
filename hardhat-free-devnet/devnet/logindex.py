"""The event-log index behind ``eth_getLogs``: SQLite tables, not a scan of blocks.

Every log of a committed block is one row of ``logs``, written in the block's own
store transaction (so the index never disagrees with the chain). Secondary indexes on
``(address, block_number)`` and ``(topicN, block_number)`` let SQLite answer filters
by contract or event without reading blocks or receipts. ``LogFilter.matches`` is the
slow, obvious reference the tests compare the SQL against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth.abc import ReceiptAPI
from eth_typing import Hash32

from devnet.errors import LimitExceeded
from devnet.store import Row, SqliteStore

MAX_TOPICS = 4

SCHEMA = """
CREATE TABLE IF NOT EXISTS logs (
    block_number INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_hash BLOB NOT NULL,
    block_hash BLOB NOT NULL,
    address BLOB NOT NULL,
    topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB,
    data BLOB NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX IF NOT EXISTS logs_by_address ON logs (address, block_number);
CREATE INDEX IF NOT EXISTS logs_by_topic0 ON logs (topic0, block_number);
CREATE INDEX IF NOT EXISTS logs_by_topic1 ON logs (topic1, block_number);
CREATE INDEX IF NOT EXISTS logs_by_topic2 ON logs (topic2, block_number);
CREATE INDEX IF NOT EXISTS logs_by_topic3 ON logs (topic3, block_number);
"""

INSERT_SQL = "INSERT INTO logs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_COLUMNS = (
    "block_number, log_index, tx_index, tx_hash, block_hash, address, "
    + ", ".join(f"topic{position}" for position in range(MAX_TOPICS))
    + ", data"
)

#: The rows of one block in ``block_rows`` order (``devnet.resync`` compares them with re-execution).
BLOCK_SQL = f"SELECT {_COLUMNS} FROM logs WHERE block_number = ? ORDER BY log_index"
MAX_BLOCK_SQL = "SELECT MAX(block_number) FROM logs"


@dataclass(frozen=True)
class LogEntry:
    """One event log with its position in the chain."""

    block_number: int
    log_index: int
    tx_index: int
    tx_hash: bytes
    block_hash: bytes
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes

    @classmethod
    def from_row(cls, row: Row) -> LogEntry:
        topics = tuple(bytes(topic) for topic in row[6:10] if topic is not None)
        fixed = [bytes(value) for value in row[3:6]]
        return cls(row[0], row[1], row[2], fixed[0], fixed[1], fixed[2], topics, bytes(row[10]))


@dataclass(frozen=True)
class LogFilter:
    """An ``eth_getLogs`` filter over a block range (both ends inclusive).

    ``addresses`` empty means any address. ``topics[i]`` is ``None`` (any value) or
    the alternatives allowed at position ``i`` (OR); positions are ANDed.
    """

    from_block: int
    to_block: int
    addresses: tuple[bytes, ...] = ()
    topics: tuple[tuple[bytes, ...] | None, ...] = ()

    def matches(self, entry: LogEntry) -> bool:
        """Reference semantics, one log at a time."""
        if not self.from_block <= entry.block_number <= self.to_block:
            return False
        if self.addresses and entry.address not in self.addresses:
            return False
        for position, alternatives in enumerate(self.topics):
            if not alternatives:
                continue
            if position >= len(entry.topics) or entry.topics[position] not in alternatives:
                return False
        return True


def block_rows(
    block_number: int,
    block_hash: Hash32,
    tx_hashes: Sequence[Hash32],
    receipts: Sequence[ReceiptAPI],
) -> list[Row]:
    """The ``logs`` rows of one block, with block-wide log indexes."""
    rows: list[Row] = []
    for tx_index, (tx_hash, receipt) in enumerate(zip(tx_hashes, receipts, strict=True)):
        for log in receipt.logs:
            topics = [topic.to_bytes(32, "big") for topic in log.topics]
            padded = topics + [None] * (MAX_TOPICS - len(topics))
            rows.append(
                (block_number, len(rows), tx_index, tx_hash, block_hash, log.address, *padded, log.data)
            )
    return rows


class LogIndex:
    """Read side of the ``logs`` table."""

    def __init__(self, store: SqliteStore, max_results: int) -> None:
        self._store = store
        self._max_results = max_results

    def query(self, log_filter: LogFilter) -> list[LogEntry]:
        """Matching logs in chain order; ``LimitExceeded`` past ``max_results``."""
        clauses, params = _where(log_filter)
        sql = (
            f"SELECT {_COLUMNS} FROM logs WHERE {' AND '.join(clauses)} "
            f"ORDER BY block_number, log_index LIMIT {self._max_results + 1}"
        )
        rows = self._store.query(sql, params)
        if len(rows) > self._max_results:
            raise LimitExceeded(
                f"query returned more than {self._max_results} results; narrow the block range"
            )
        return [LogEntry.from_row(row) for row in rows]

    def of_transaction(self, block_number: int, tx_index: int) -> list[LogEntry]:
        sql = f"SELECT {_COLUMNS} FROM logs WHERE block_number = ? AND tx_index = ? ORDER BY log_index"
        return [LogEntry.from_row(row) for row in self._store.query(sql, (block_number, tx_index))]


def _where(log_filter: LogFilter) -> tuple[list[str], list[object]]:
    clauses = ["block_number BETWEEN ? AND ?"]
    params: list[object] = [log_filter.from_block, log_filter.to_block]
    if log_filter.addresses:
        clauses.append(f"address IN ({', '.join('?' * len(log_filter.addresses))})")
        params.extend(log_filter.addresses)
    for position, alternatives in enumerate(log_filter.topics[:MAX_TOPICS]):
        if alternatives:
            clauses.append(f"topic{position} IN ({', '.join('?' * len(alternatives))})")
            params.extend(alternatives)
    if any(alternatives for alternatives in log_filter.topics[MAX_TOPICS:]):
        clauses.append("0")  # a log has at most four topics
    return clauses, params
