"""The store's one rule: nothing is written except whole blocks, atomically."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from devnet.errors import StoreError
from devnet.store import SqliteStore


def test_writes_outside_a_block_transaction_are_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    with pytest.raises(StoreError, match="block_transaction"):
        store[b"k"] = b"v"
    store.close()


def test_a_failed_block_leaves_no_trace(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    with pytest.raises(RuntimeError), store.block_transaction() as write:
        store[b"k"] = b"v"
        write.set_meta("head", "x")
        assert store[b"k"] == b"v"  # visible to the writing thread while staged
        raise RuntimeError("crash while building")
    assert b"k" not in store and store.get_meta("head") is None
    store.close()


def test_staged_writes_are_invisible_to_other_threads_until_commit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite")
    seen: list[bool] = []

    def look() -> None:
        seen.append(b"k" in store)

    with store.block_transaction():
        store[b"k"] = b"v"
        with store.atomic_batch() as batch:  # py-evm's own batches nest inside
            batch[b"k2"] = b"v2"
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
    look()
    assert seen == [False, True]
    assert store[b"k2"] == b"v2"
    store.close()


def test_committed_blocks_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SqliteStore(path)
    with store.block_transaction():
        store[b"a"] = b"1"
    with store.block_transaction():
        del store[b"a"]
        store[b"b"] = b"2"
    store.close()
    reopened = SqliteStore(path)
    assert b"a" not in reopened and reopened[b"b"] == b"2"
    reopened.close()
