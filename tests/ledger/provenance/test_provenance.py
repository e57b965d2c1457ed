"""The provenance log end to end: append, seal, anchor, prove — on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from provenance_world import World, build, event

from ledger.chain import TransactionSender
from ledger.chain.backends.tester import EthTesterChain
from ledger.errors import ContractRevert, VerificationError
from ledger.provenance import merkle, proof, prover
from ledger.provenance.witness import prove


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = build(EthTesterChain(), db_url)
    yield w
    w.sequencer.close()
    w.store.engine.dispose()


def test_append_seal_anchor_and_prove(world: World) -> None:
    seq = world.sequencer
    assert list(seq.append([event(i) for i in range(5)])) == [0, 1, 2, 3, 4]
    head = seq.seal()
    assert head is not None and head.tree_size == 5
    assert head.root == merkle.reference_root([event(i).leaf_hash() for i in range(5)])
    anchored = seq.anchor()
    assert anchored is not None and anchored.anchor_tx and anchored.anchor_block
    assert world.log.root_of(5) == head.root

    seq.append([event(i) for i in range(5, 12)])
    seq.seal()
    seq.anchor()
    assert [a.tree_size for a in world.log.all()] == [5, 12]
    for i in range(12):
        path = prover.inclusion_proof(i, 12, world.store)
        proof.verify_inclusion(event(i).leaf_hash(), i, 12, path, world.log.root_of(12))
        assert world.log.verify_inclusion(event(i).leaf_hash(), i, 12, path)
    proof.verify_consistency(5, 12, world.log.root_of(5), world.log.root_of(12),
                             prover.consistency_proof(5, 12, world.store))


def test_witness_verifies_against_the_chain_alone(world: World) -> None:
    world.sequencer.append([event(i) for i in range(9)])
    world.sequencer.catch_up()
    check = world.witness_check()
    witness = prove(world.store, "3", check)
    assert witness["event"]["request_id"] == "req-3"
    assert prove(world.store, witness["leaf_hash"], check)["event_id"] == 3
    check(witness)
    witness["event"]["purpose"] = "marketing"
    with pytest.raises(VerificationError, match="leaf_hash is not the hash of the event"):
        check(witness)


def _zero_signature(note: str) -> str:
    text, _, line = note.rpartition("\n\n")
    name, blob = line.rstrip("\n").rsplit(" ", 1)
    raw = base64.b64decode(blob)
    return f"{text}\n\n{name} {base64.b64encode(raw[:4] + bytes(64)).decode()}\n"


def _other_root(note: str) -> str:
    origin, size, _, *rest = note.split("\n")
    return "\n".join([origin, size, base64.b64encode(b"\x07" * 32).decode(), *rest])


EDITS = {  # every field a witness carries, edited as a forger would (issue 11: each passed before)
    "signature zeroed": (lambda w: w | {"checkpoint": _zero_signature(w["checkpoint"])}, "does not verify"),
    "root replaced": (lambda w: w | {"checkpoint": _other_root(w["checkpoint"])}, "does not verify"),
    "leaf_hash replaced": (lambda w: w | {"leaf_hash": "0x" + "07" * 32}, "leaf_hash is not the hash"),
    "event_id changed": (lambda w: w | {"event_id": 4000}, "event_id is not the leaf"),
    "anchor tx replaced": (lambda w: w | {"anchor": w["anchor"] | {"tx": "0x" + "07" * 32}}, "anchor is not where"),
    "anchor block moved": (lambda w: w | {"anchor": w["anchor"] | {"block": 1}}, "anchor is not where"),
    "proof of another leaf": (lambda w: w | {"event_id": 4, "inclusion": w["inclusion"] | {"leaf_index": 4}},
                              "does not lead to the root"),
    "extra field": (lambda w: w | {"note": "trust me"}, "expected exactly the fields"),
    "not a note": (lambda w: w | {"checkpoint": {"tree_size": 9}}, "not a signed note"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edited_witness_is_refused_naming_what_is_wrong(world: World, edit: str) -> None:
    world.sequencer.append([event(i) for i in range(9)])
    world.sequencer.catch_up()
    check = world.witness_check()
    witness = prove(world.store, "3", check)
    change, message = EDITS[edit]
    with pytest.raises(VerificationError, match=message):
        check(change(witness))


def size_of(n: int) -> prover.SizeProof:
    """The size proof of the tree of the first n test events."""
    nodes = merkle.MemoryNodes()
    nodes.store(merkle.append_nodes(0, [event(i).leaf_hash() for i in range(n)], nodes))
    return prover.size_proof(n, nodes, lambda indexes: [event(i).canonical() for i in indexes])


def test_chain_accepts_only_growing_consistent_trees_from_the_operator(world: World) -> None:
    seq = world.sequencer
    seq.append([event(i) for i in range(4)])
    head = seq.catch_up()
    assert head is not None
    with pytest.raises(ContractRevert.named("TreeNotGrowing")):
        world.log.anchor(world.sender, 4, head.root, [], size_of(4))
    leaves = [event(i).leaf_hash() for i in range(5)]
    path = merkle.reference_consistency_proof(4, leaves)
    with pytest.raises(ContractRevert.named("WrongTreeSize")):
        world.log.anchor(world.sender, 5, bytes(32), path, size_of(5))
    stranger = TransactionSender(world.chain, world.chain.web3.eth.account.create())
    world.chain.fund(stranger.address, 10**18)
    with pytest.raises(ContractRevert.named("NotAuthorized")):
        world.log.anchor(stranger, 5, merkle.reference_root(leaves), path, size_of(5))
    world.log.anchor(world.sender, 5, merkle.reference_root(leaves), path, size_of(5))
    assert world.log.latest().tree_size == 5  # type: ignore[union-attr]


def test_a_root_is_anchored_only_with_its_own_size(world: World) -> None:
    """Issue 11: after anchor(5), anchor(8, root of 7 leaves, proof 5→7) was accepted, so rootOf(8) held a
    7-leaf root and the honest next anchor reverted. Consistency proofs cannot tell (the first check
    below passes); a size proof can, on chain and off."""
    world.sequencer.append([event(i) for i in range(5)])
    world.sequencer.catch_up()
    leaves = [event(i).leaf_hash() for i in range(7)]
    root7, proof5to7 = merkle.reference_root(leaves), merkle.reference_consistency_proof(5, leaves)
    proof.verify_consistency(5, 8, merkle.reference_root(leaves[:5]), root7, proof5to7)  # the gap itself
    for claimed in (size_of(7), size_of(8)):
        with pytest.raises(ContractRevert.named("WrongTreeSize")):
            world.log.anchor(world.sender, 8, root7, proof5to7, claimed)
        with pytest.raises(VerificationError, match="the root is not of a tree of 8 leaves"):
            proof.verify_size(8, root7, claimed)
    world.sequencer.append([event(i) for i in range(5, 8)])
    assert world.sequencer.catch_up().tree_size == 8  # type: ignore[union-attr]  # the honest head anchors


def test_a_crash_after_anchoring_is_reconciled_from_the_chain(world: World) -> None:
    seq = world.sequencer
    seq.append([event(i) for i in range(6)])
    head = seq.seal()
    assert head is not None
    world.log.anchor(world.sender, 6, head.root, [], size_of(6))  # anchored, then "crash" before marking
    assert world.store.checkpoints()[-1].anchor_tx is None
    recovered = world.restart().catch_up()
    assert recovered is not None and recovered.anchor_tx is not None
    assert world.log.count() == 1  # not anchored twice


def test_a_crash_before_sealing_loses_no_acknowledged_event(world: World) -> None:
    acked = world.sequencer.append([event(i) for i in range(7)])
    seq = world.restart()
    assert seq.size == 7 and seq.sealed == 0
    head = seq.catch_up()
    assert head is not None and head.tree_size == len(acked)


def test_events_are_found_by_leaf_hash_before_and_after_indexing(world: World) -> None:
    """The leaf index is a cache filled by lookups; the events beyond it are scanned."""
    seq, store = world.sequencer, world.store
    seq.append([event(i) for i in range(6)])
    store.index_leaves()
    seq.append([event(i) for i in (6, 7, 2)])  # event 2 again, at index 8
    assert [store.find(event(i).leaf_hash()) for i in (0, 5, 6, 7, 2)] == [0, 5, 6, 7, 2]
    store.index_leaves()
    assert [store.find(event(i).leaf_hash()) for i in (0, 7, 2)] == [0, 7, 2]
    assert store.find(event(99).leaf_hash()) is None


def test_a_lookup_that_loses_the_race_to_index_still_finds(world: World) -> None:
    """Another reader indexed the same events first: this one's insert collides, and it scans."""
    seq, store = world.sequencer, world.store
    seq.append([event(i) for i in range(4)])
    with store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO log_leaf_index VALUES (:h, 3)"), {"h": event(3).leaf_hash()})
    store.index_leaves()
    assert [store.find(event(i).leaf_hash()) for i in range(4)] == [0, 1, 2, 3]


def test_an_anchors_gas_limit_from_its_proofs_leaves_a_margin(world: World) -> None:
    """The anchor is sent with a limit from its proofs' size, not estimated (``anchor_gas``): across tree
    sizes whose size proofs have one to many perfect subtrees, it uses at most three quarters of it."""
    from ledger.contracts.provenance_log import anchor_gas

    seq, size = world.sequencer, 0
    for grow in (1, 2, 4, 57, 200, 7, 1023):
        before = world.log.latest()
        seq.append([event(size + i) for i in range(grow)])
        size += grow
        seq.seal()
        consistency = prover.consistency_proof(before.tree_size, size, world.store) if before else []
        limit = anchor_gas(consistency, prover.size_proof(size, world.store, seq._bodies))
        anchored = seq.anchor()
        assert anchored is not None and anchored.anchor_tx
        used = world.chain.web3.eth.get_transaction_receipt(anchored.anchor_tx)["gasUsed"]
        assert used <= 0.75 * limit, (size, used, limit)
