"""Migrations carry an existing log forward, and back: a store written before 0006-0008 reads the same after."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_0010_scrubs_stored_rejection_reasons_and_keeps_batches_and_records(db_url: str) -> None:
    """Reasons stored before issue 12 repeated values (a credit code with a wrong check character gave
    the real one away): 0010 keeps what they said up to the value; batches are ingests, records version 1."""
    engine = sa.create_engine(db_url)
    migrate(engine, "0009")
    code = "91350100M000100Y4X"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO catalogue_batches VALUES ('b', 'tax', '0x00', '2026-01-01T00:00:00Z', "
                             "'h', 2, 1, 5)"))
        conn.execute(sa.text("INSERT INTO catalogue_records VALUES ('tax', 's', '2026-01', 'b', 'h', :x)"),
                     {"x": b"sealed"})
        conn.execute(sa.text("INSERT INTO catalogue_rejections VALUES ('b', 1, :r), ('b', 2, :u)"), {
            "r": f"bad credit code in 'credit_code': check character of {code!r} is 'X', expected '3'; "
                 "wrong type for 'kwh': expected float, got 'lots'",
            "u": "unexpected field '91350100M000100Y43'"})
    migrate(engine, "0010")
    with engine.connect() as conn:
        reasons = [r for (r,) in conn.execute(sa.text("SELECT reason FROM catalogue_rejections ORDER BY row_number"))]
        kind = conn.execute(sa.text("SELECT kind, claimed_at FROM catalogue_batches")).one()
        version = conn.scalar(sa.text("SELECT version FROM catalogue_records"))
    assert reasons == ["bad credit code in 'credit_code'; wrong type for 'kwh'", "unexpected field"]
    assert (tuple(kind), version) == (("ingest", None), 1)
    migrate(engine, "0009", down=True)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM catalogue_records")) == 1


CATALOGUE = (
    "INSERT INTO catalogue_batches (batch_id, department, provider, received_at, content_hash, rows_total, "
    "rows_stored) VALUES ('b1', 'tax', '0xabc', '2023-01-01T00:00:00Z', 'h', 2, 1)",
    "INSERT INTO catalogue_records (department, subject, period, batch_id, content_hash, sealed) "
    "VALUES ('tax', 's', '2023-01', 'b1', 'h', :sealed)",
    "INSERT INTO catalogue_rejections VALUES ('b1', 2, 'bad credit code')",
    "INSERT INTO catalogue_arrivals VALUES ('tax', '2023-01', '2023-01-01T00:00:00Z')",
)
REWRITES = (
    "UPDATE catalogue_records SET sealed = :sealed",
    "UPDATE catalogue_records SET subject = 't'",
    "DELETE FROM catalogue_records",
    "UPDATE catalogue_rejections SET reason = 'fine'",
    "DELETE FROM catalogue_rejections",
    "UPDATE catalogue_arrivals SET first_arrival = '2022-01-01T00:00:00Z'",
    "DELETE FROM catalogue_arrivals",
    "UPDATE catalogue_batches SET rows_stored = 2",
    "UPDATE catalogue_batches SET event_index = 8",  # recorded already (7, below): never again
    "DELETE FROM catalogue_batches",
)


@pytest.mark.parametrize("rewrite", REWRITES)
def test_catalogue_rows_are_never_rewritten_or_deleted(db_url: str, rewrite: str) -> None:
    """Issue 12: the catalogue's tables had no guard, so SQL could rewrite what ingestion stored."""
    engine = open_engine(db_url)
    with engine.begin() as conn:
        for statement in CATALOGUE:
            conn.execute(sa.text(statement), {"sealed": b"\x01sealed"})
        conn.execute(sa.text("UPDATE catalogue_batches SET event_index = 7 WHERE event_index IS NULL"))  # the one
    with pytest.raises(sa.exc.DBAPIError, match="is append-only"), engine.begin() as conn:
        conn.execute(sa.text(rewrite), {"sealed": b"\x01other"})
    migrate(engine, "0010", down=True)
    with engine.begin() as conn:  # and the guards come off with their revision
        conn.execute(sa.text(rewrite), {"sealed": b"\x01other"})
    engine.dispose()


def test_a_record_is_replaced_only_by_its_next_version_with_the_old_one_kept(db_url: str) -> None:
    """Corrections keep versions (catalogue_record_versions, 0010): the guard lets exactly that through."""
    engine = open_engine(db_url)
    next_version = "UPDATE catalogue_records SET sealed = :sealed, version = 2 WHERE version = 1"
    with engine.begin() as conn:
        for statement in CATALOGUE:
            conn.execute(sa.text(statement), {"sealed": b"\x01v1"})
    with pytest.raises(sa.exc.DBAPIError, match="is append-only"), engine.begin() as conn:
        conn.execute(sa.text(next_version), {"sealed": b"\x01v2"})  # the old version not kept
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO catalogue_record_versions SELECT department, subject, period, version, "
                             "batch_id, content_hash, sealed, 'b2', 'h2' FROM catalogue_records"))
        conn.execute(sa.text(next_version), {"sealed": b"\x01v2"})
    for skip in ("UPDATE catalogue_records SET version = 4", "UPDATE catalogue_records SET version = 3, period = 'x'"):
        with pytest.raises(sa.exc.DBAPIError, match="is append-only"), engine.begin() as conn:
            conn.execute(sa.text(skip))
    engine.dispose()
