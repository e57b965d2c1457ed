"""Verify the whole provenance log from its events up, against the chain.

The walk trusts nothing the platform stored except the event bodies: it re-canonicalises
and re-hashes every event (RFC 8785, RFC 9162 §2.1.1), compares each with the leaf sealed at
its index, rebuilds the tree, recomputes every checkpoint's root, checks its signature and
the consistency between consecutive checkpoints (§2.1.4), and compares the roots with those
anchored on chain. The first problem raises VerificationError naming the bad index.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ledger.contracts.provenance_log import ProvenanceLog
from ledger.errors import EventError, VerificationError
from ledger.provenance import merkle, proof, prover
from ledger.provenance.checkpoint import TreeHead
from ledger.provenance.event import Event
from ledger.provenance.store import LogStore, StoredCheckpoint

Progress = Callable[[int], None]
_BATCH = 10_000


@dataclass(frozen=True)
class AuditReport:
    events: int
    checkpoints: int
    anchored: int
    unsealed: int


def verify_log(store: LogStore, operator_key: bytes, chain: ProvenanceLog | None = None,
               progress: Progress | None = None) -> AuditReport:
    heads = store.checkpoints()
    sealed = heads[-1].tree_size if heads else 0
    tree = merkle.MemoryNodes()
    built, pending = 0, list[bytes]()
    due = iter(heads)
    head = next(due, None)
    for index, leaf in _checked_leaves(store, sealed):
        pending.append(leaf)
        if (head is not None and index + 1 == head.tree_size) or len(pending) >= _BATCH:
            tree.store(merkle.append_nodes(built, pending, tree))
            built, pending = built + len(pending), []
            if progress:
                progress(built)
        while head is not None and built == head.tree_size:
            _check_head(head, tree, operator_key)
            head = next(due, None)
    if built + len(pending) < sealed:
        raise VerificationError(f"event {built + len(pending)}: missing — the log ends before "
                                f"its last checkpoint ({sealed} events); truncated?")
    _check_consistency(heads, tree)
    anchored = _check_chain(heads, chain) if chain is not None else 0
    return AuditReport(built + len(pending), len(heads), anchored, built + len(pending) - sealed)


def _checked_leaves(store: LogStore, sealed: int) -> Iterator[tuple[int, bytes]]:
    """Each event's recomputed leaf hash, after checking it against what was stored and sealed."""
    sealed_leaves = store.sealed_leaves(0, sealed)
    for expected, (index, stored_leaf, body) in enumerate(store.leaves(0, store.size())):
        if index != expected:
            raise VerificationError(f"event {expected}: missing (deleted?); the next stored is {index}")
        leaf = merkle.leaf_hash(_canonical(index, body))
        if leaf != stored_leaf:
            raise VerificationError(f"event {index}: its body does not hash to its stored leaf (edited?)")
        if index < sealed:
            _, at_seal = next(sealed_leaves, (index, b""))
            if leaf != at_seal:
                raise VerificationError(f"event {index}: differs from the leaf sealed at that index "
                                        "(edited or moved?)")
        yield index, leaf


def _canonical(index: int, body: str) -> bytes:
    try:
        canonical = Event.from_json(json.loads(body)).canonical()
    except (ValueError, EventError) as exc:
        raise VerificationError(f"event {index}: not a valid event: {exc}") from exc
    if canonical != body.encode():
        raise VerificationError(f"event {index}: stored body is not in canonical form (RFC 8785)")
    return canonical


def _check_head(head: StoredCheckpoint, tree: merkle.MemoryNodes, operator_key: bytes) -> None:
    root = merkle.root(head.tree_size, tree)
    if root != head.root:
        raise VerificationError(f"checkpoint at size {head.tree_size}: stored root {head.root.hex()} "
                                f"is not the root of the events ({root.hex()})")
    TreeHead(head.tree_size, head.root, head.timestamp_ms).verify(head.signature, operator_key)


def _check_consistency(heads: Sequence[StoredCheckpoint], tree: merkle.MemoryNodes) -> None:
    for old, new in itertools.pairwise(heads):
        path = prover.consistency_proof(old.tree_size, new.tree_size, tree)
        proof.verify_consistency(old.tree_size, new.tree_size, old.root, new.root, path)


def _check_chain(heads: Sequence[StoredCheckpoint], chain: ProvenanceLog) -> int:
    """Every root anchored on chain must be a local checkpoint's, and vice versa."""
    local = {h.tree_size: h.root for h in heads}
    on_chain = chain.all()
    for anchored in on_chain:
        if anchored.tree_size not in local:
            raise VerificationError(f"checkpoint at size {anchored.tree_size}: anchored on chain, "
                                    "missing from the store")
        if local[anchored.tree_size] != anchored.root:
            raise VerificationError(f"checkpoint at size {anchored.tree_size}: the store's root "
                                    "differs from the root anchored on chain")
    anchored_sizes = {a.tree_size for a in on_chain}
    for h in heads:
        if h.anchor_tx is not None and h.tree_size not in anchored_sizes:
            raise VerificationError(f"checkpoint at size {h.tree_size}: marked anchored, not on chain")
    return len(on_chain)

