"""Tamper drills: every edit of the stored log is found by the audit walk, at the right index."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from nacl.signing import SigningKey
from provenance_world import World, build, event

from ledger.chain.backends.tester import EthTesterChain
from ledger.errors import VerificationError
from ledger.provenance import LogStore, verify_log


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = build(EthTesterChain(), db_url)
    for end in (8, 15, 20):
        w.sequencer.append([event(i) for i in range(w.sequencer.size, end)])
        w.sequencer.catch_up()
    yield w
    w.sequencer.close()
    w.store.engine.dispose()


def audit(world: World) -> None:
    verify_log(world.store, world.log, world.keys())


def tamper(store: LogStore, *statements: str) -> None:
    """What an attacker with database access does: drop the append-only guards, then edit."""
    with store.engine.begin() as conn:
        for table in ("log_events", "log_nodes", "log_checkpoints", "log_sealed_leaves"):
            for verb in ("update", "delete"):
                on = f" ON {table}" if store.engine.dialect.name == "postgresql" else ""
                conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_{verb}_guard{on}"))
        for statement in statements:
            conn.execute(sa.text(statement))


def test_an_untouched_log_verifies(world: World) -> None:
    world.sequencer.append([event(20), event(21)])
    report = verify_log(world.store, world.log, world.keys())
    assert (report.events, report.checkpoints, report.anchored, report.unsealed) == (22, 3, 3, 2)


def test_the_database_itself_refuses_updates_and_deletes(world: World) -> None:
    for statement in ("UPDATE log_events SET body = 'x' WHERE idx = 1", "DELETE FROM log_nodes"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), world.store.engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_edited_event_is_named(world: World) -> None:
    tamper(world.store, "UPDATE log_events SET body = replace(body, 'req-5', 'req-X') WHERE idx = 5")
    with pytest.raises(VerificationError, match=r"^event 5: its body does not hash to its stored leaf"):
        audit(world)


def test_edited_event_with_a_matching_leaf_hash_is_named(world: World) -> None:
    forged = event(99)
    tamper(world.store, "DELETE FROM log_events WHERE idx = 6")
    with world.store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO log_events (idx, leaf_hash, body) VALUES (6, :h, :b)"),
                     {"h": forged.leaf_hash(), "b": forged.canonical().decode()})
    with pytest.raises(VerificationError, match=r"^event 6: differs from the leaf sealed at that index"):
        audit(world)


def test_deleted_event_is_named(world: World) -> None:
    tamper(world.store, "DELETE FROM log_events WHERE idx = 7")
    with pytest.raises(VerificationError, match=r"^event 7: missing"):
        audit(world)


def test_swapped_events_are_named(world: World) -> None:
    tamper(world.store, "UPDATE log_events SET idx = -1 WHERE idx = 3",
           "UPDATE log_events SET idx = 3 WHERE idx = 11", "UPDATE log_events SET idx = 11 WHERE idx = -1")
    with pytest.raises(VerificationError, match=r"^event 3: differs from the leaf sealed"):
        audit(world)


def test_truncated_tail_is_named(world: World) -> None:
    tamper(world.store, "DELETE FROM log_events WHERE idx >= 17")
    with pytest.raises(VerificationError, match=r"^event 17: missing — the log ends before its last checkpoint"):
        audit(world)


def test_checkpoints_refuse_deletes_and_rewrites_but_take_a_missing_anchor(world: World) -> None:
    for statement in ("DELETE FROM log_checkpoints WHERE tree_size = 20",
                      "UPDATE log_checkpoints SET timestamp_ms = timestamp_ms + 1 WHERE tree_size = 15",
                      "UPDATE log_checkpoints SET anchor_tx = '0xdead' WHERE tree_size = 8",
                      "UPDATE log_checkpoints SET anchor_block = NULL WHERE tree_size = 8"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), world.store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    world.sequencer.append([event(20), event(21)])
    world.sequencer.seal()
    world.sequencer.anchor()  # records the anchor of a head stored without one
    assert world.store.checkpoints()[-1].anchor_tx is not None


def test_replaced_checkpoint_root_is_named(world: World) -> None:
    tamper(world.store)
    with world.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE log_checkpoints SET root = :r WHERE tree_size = 15"), {"r": b"\x07" * 32})
    with pytest.raises(VerificationError, match=r"^checkpoint at size 15: stored root 0707"):
        audit(world)


def test_a_rewritten_history_disagrees_with_the_chain(world: World, db_url: str) -> None:
    """Rebuild the whole store from other events: self-consistent, but not what was anchored."""
    other = LogStore(world.store.engine)
    tamper(other, "DELETE FROM log_events", "DELETE FROM log_nodes", "DELETE FROM log_sealed_leaves",
           "DELETE FROM log_checkpoints")
    world.restart()
    for end in (8, 15, 20):
        world.sequencer.append([event(i + 1000) for i in range(world.sequencer.size, end)])
        world.sequencer.seal()
    with pytest.raises(VerificationError, match=r"^checkpoint at size 8: the store's root differs from the root"):
        audit(world)


def test_heads_signed_before_a_key_rotation_still_verify(world: World) -> None:
    """Each head is checked against the key its signer had registered when it was anchored."""
    new_key = SigningKey.generate()
    world.registry.rotate_signing_key(world.sender, bytes(new_key.verify_key))
    world.key = new_key
    world.restart()
    world.sequencer.append([event(20), event(21)])
    world.sequencer.catch_up()
    report = verify_log(world.store, world.log, world.keys())
    assert (report.checkpoints, report.anchored) == (4, 4)


def test_a_head_signed_with_a_key_never_registered_is_named(world: World) -> None:
    world.key = SigningKey.generate()
    world.restart()
    world.sequencer.append([event(20), event(21)])
    world.sequencer.catch_up()
    with pytest.raises(VerificationError, match="checkpoint signature for size 22 does not verify"):
        audit(world)
