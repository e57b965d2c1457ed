"""Migrations carry an existing log forward, and back: a store written before 0006-0008 reads the same after."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import ledger.migrations
from ledger.migrations import open_engine
from ledger.provenance import LogStore, merkle

LEAVES = [merkle.leaf_hash(b"event %d" % i) for i in range(11)]


def migrate(engine: sa.Engine, revision: str, down: bool = False) -> None:
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(ledger.migrations.__file__).parent))
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_a_log_from_before_0006_keeps_its_sealed_leaves_and_is_found_by_hash(db_url: str) -> None:
    old = sa.create_engine(db_url)
    migrate(old, "0005")
    nodes = merkle.append_nodes(0, LEAVES, merkle.MemoryNodes())
    with old.begin() as conn:  # as the sequencer of revision 0005 stored a seal: leaves in log_nodes too
        for i, leaf in enumerate(LEAVES):
            conn.execute(sa.text("INSERT INTO log_events VALUES (:i, :h, :b)"), {"i": i, "h": leaf, "b": f"e{i}"})
        for level, idx, digest in nodes:
            conn.execute(sa.text("INSERT INTO log_nodes VALUES (:l, :i, :h)"), {"l": level, "i": idx, "h": digest})
    old.dispose()
    store = LogStore(open_engine(db_url))
    assert list(store.sealed_leaves()) == list(enumerate(LEAVES))
    upper = {(lv, i): h for lv, i, h in nodes}
    keys = [(0, 3), (1, 1), (2, 0), (2, 1), (3, 0), (1, 4)]
    assert store.get_nodes(keys) == [LEAVES[3], *(upper[k] for k in keys[1:])]
    assert [store.find(leaf) for leaf in LEAVES] == list(range(11))
    with store.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM log_nodes WHERE level <= 2")) == 0
        assert conn.scalar(sa.text("SELECT count(*) FROM log_leaf_index")) == 11
    migrate(store.engine, "0005", down=True)
    with store.engine.connect() as conn:
        assert set(conn.execute(sa.text("SELECT level, idx, hash FROM log_nodes")).all()) == set(nodes)
    store.engine.dispose()
