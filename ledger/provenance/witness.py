"""Witnesses: an event with its inclusion proof against a root anchored on chain.

A witness is everything an auditor needs besides the chain: the event (whose RFC 8785 bytes
hash to the leaf), the checkpoint it is proven against, and the RFC 9162 §2.1.3 audit path.
:func:`check` verifies one using only the witness and the ``ProvenanceLog`` contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.contracts.provenance_log import ProvenanceLog
from ledger.errors import ContractRevert, LedgerError, VerificationError
from ledger.provenance import proof, prover
from ledger.provenance.event import Event
from ledger.provenance.store import LogStore


def prove(store: LogStore, event_id: str, log: ProvenanceLog) -> dict[str, Any]:
    """The witness of ``event_id`` (leaf index, or leaf hash in hex) in the newest anchored tree."""
    return next(prove_all(store, [event_id], log))


def prove_all(store: LogStore, event_ids: Iterable[str], log: ProvenanceLog) -> Iterator[dict[str, Any]]:
    """The witnesses of ``event_ids``, in order, all against the newest anchored checkpoint.

    Every id is resolved before the first witness is made, so a bad one fails the whole request.
    The proofs share one :class:`~ledger.provenance.prover.Prover`: after the first, each reads only its
    stored siblings below the tree's right edge. Each witness is checked against the chain.
    """
    indexes = [_resolve(store, event_id) for event_id in event_ids]
    anchored = [h for h in store.checkpoints() if h.anchor_tx is not None]
    late = [i for i in indexes if not anchored or i >= anchored[-1].tree_size]
    if late:
        raise LedgerError(f"event {late[0]} is not yet in an anchored checkpoint; run `credtrace log append` "
                          "or let the sequencer seal")
    head, proofs = anchored[-1], prover.Prover(store)
    checkpoint = {"tree_size": head.tree_size, "root": "0x" + head.root.hex(), "timestamp_ms": head.timestamp_ms,
                  "signature": "0x" + head.signature.hex(), "contract": log.contract.address,
                  "anchor_tx": head.anchor_tx, "anchor_block": head.anchor_block}
    for index in indexes:
        [(_, leaf, body)] = store.leaves(index, index + 1)
        path = proofs.inclusion_proof(index, head.tree_size)
        witness = {
            "event_id": index,
            "leaf_hash": "0x" + leaf.hex(),
            "event": json.loads(body),
            "checkpoint": checkpoint,
            "inclusion": proof.InclusionProof(index, head.tree_size, tuple(path)).to_json(),
        }
        check(witness, log)
        yield witness


def check(witness: dict[str, Any], log: ProvenanceLog) -> None:
    """Verify a witness against the chain alone; VerificationError names what failed."""
    try:
        event = Event.from_json(witness["event"])
        inclusion = proof.InclusionProof.from_json(witness["inclusion"])
    except (KeyError, TypeError, ValueError, LedgerError) as exc:
        raise VerificationError(f"not a credtrace witness: {exc}") from exc
    try:
        root = log.root_of(inclusion.tree_size)
    except ContractRevert as exc:
        raise VerificationError(f"no checkpoint of size {inclusion.tree_size} is anchored on chain") from exc
    inclusion.verify(event.leaf_hash(), root)
    if not log.verify_inclusion(event.leaf_hash(), inclusion.leaf_index, inclusion.tree_size, inclusion.hashes):
        raise VerificationError("the ProvenanceLog contract rejects the inclusion proof")


def _resolve(store: LogStore, event_id: str) -> int:
    text = event_id.strip().lower().removeprefix("0x")
    if text.isdigit() and len(text) < 20:
        index = int(text)
        if index >= store.size():
            raise LedgerError(f"no event {index}: the log has {store.size()} events")
        return index
    try:
        found = store.find(bytes.fromhex(text))
    except ValueError:
        found = None
    if found is None:
        raise LedgerError(f"no event with id or leaf hash {event_id!r}")
    return found
