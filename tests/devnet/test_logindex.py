"""The SQL log index agrees with the obvious one-log-at-a-time reference filter."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devnet import logindex
from devnet.errors import LimitExceeded
from devnet.logindex import LogEntry, LogFilter, LogIndex
from devnet.store import SqliteStore

ADDRESSES = [bytes([i]) * 20 for i in range(1, 4)]
TOPICS = [bytes([i]) * 32 for i in range(1, 5)]

entries_strategy = st.lists(
    st.tuples(
        st.integers(0, 6),  # block number
        st.sampled_from(ADDRESSES),
        st.lists(st.sampled_from(TOPICS), max_size=4),
        st.binary(max_size=8),
    ),
    max_size=40,
)
alternatives = st.one_of(st.none(), st.lists(st.sampled_from(TOPICS), max_size=2).map(tuple))
filters_strategy = st.builds(
    LogFilter,
    from_block=st.integers(0, 6),
    to_block=st.integers(0, 6),
    addresses=st.lists(st.sampled_from(ADDRESSES), max_size=2).map(tuple),
    topics=st.lists(alternatives, max_size=5).map(tuple),
)


def build_index(
    path: Path, raw: list[tuple[int, bytes, list[bytes], bytes]]
) -> tuple[LogIndex, list[LogEntry]]:
    store = SqliteStore(path, schema=(logindex.SCHEMA,))
    entries: list[LogEntry] = []
    for position, (block, address, topics, data) in enumerate(sorted(raw, key=lambda item: item[0])):
        entries.append(
            LogEntry(block, position, 0, b"\x0f" * 32, bytes([block]) * 32, address, tuple(topics), data)
        )
    rows = [
        (e.block_number, e.log_index, e.tx_index, e.tx_hash, e.block_hash, e.address,
         *(list(e.topics) + [None] * (4 - len(e.topics))), e.data)
        for e in entries
    ]  # fmt: skip
    with store.block_transaction() as write:
        write.add_rows(logindex.INSERT_SQL, rows)
    return LogIndex(store, max_results=1000), entries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=entries_strategy, log_filter=filters_strategy)
def test_sql_matches_reference(
    raw: list[tuple[int, bytes, list[bytes], bytes]], log_filter: LogFilter
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        index, entries = build_index(Path(directory) / "logs.sqlite", raw)
        expected = [entry for entry in entries if log_filter.matches(entry)]
        assert index.query(log_filter) == expected


def test_limit(tmp_path: Path) -> None:
    index, _ = build_index(tmp_path / "logs.sqlite", [(1, ADDRESSES[0], [], b"")] * 5)
    limited = LogIndex(index._store, max_results=4)
    with pytest.raises(LimitExceeded):
        limited.query(LogFilter(0, 10))
    assert len(LogIndex(index._store, max_results=5).query(LogFilter(0, 10))) == 5
