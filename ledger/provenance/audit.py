"""Verify the whole provenance log from its events up, against the chain.

The walk trusts nothing the platform stored except the event bodies: it re-canonicalises
and re-hashes every event (RFC 8785, RFC 9162 §2.1.1), compares each with the leaf sealed at
its index, rebuilds the tree, recomputes every checkpoint's root, checks its signature and
the consistency between consecutive checkpoints (§2.1.4), and compares the roots with those
anchored on chain. The first problem raises VerificationError naming the bad index.

Each checkpoint's signature is checked against the key its signer had when it was anchored, as the
ParticipantRegistry's events record it (:class:`RegisteredKeys`): rotating the operator's key does
not orphan the heads signed before.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ledger.contracts.participant_registry import ParticipantRegistry, key_as_of
from ledger.contracts.provenance_log import Anchoring, ProvenanceLog
from ledger.errors import EventError, VerificationError
from ledger.provenance import merkle, proof, prover
from ledger.provenance.checkpoint import Checkpoint, open_note
from ledger.provenance.cosigner import describe
from ledger.provenance.event import Event
from ledger.provenance.store import LogStore, StoredCheckpoint
from ledger.types import Address

Progress = Callable[[int], None]
_BATCH = 10_000


@dataclass(frozen=True)
class AuditReport:
    events: int
    checkpoints: int
    anchored: int
    unsealed: int


class RegisteredKeys:
    """The log's signing keys as the chain records them: a head anchored in block B by account A is
    checked against the key A had registered at B; a head not yet anchored, against ``operator``'s
    key now."""

    def __init__(self, registry: ParticipantRegistry, operator: Address) -> None:
        self.registry, self.operator = registry, operator
        self._histories: dict[Address, list[tuple[int, bytes]]] = {}

    def key_for(self, anchoring: Anchoring | None) -> bytes:
        if anchoring is None:
            return self.registry.participant(self.operator).signing_key
        if anchoring.by not in self._histories:
            self._histories[anchoring.by] = self.registry.key_history(anchoring.by)
        try:
            return key_as_of(self._histories[anchoring.by], anchoring.block)
        except LookupError as exc:
            raise VerificationError(f"anchored by {anchoring.by} in block {anchoring.block}: {exc}") from exc


def verify_log(store: LogStore, log: ProvenanceLog, keys: RegisteredKeys,
               progress: Progress | None = None) -> AuditReport:
    heads, anchorings, origin = store.checkpoints(), log.anchorings(), log.origin
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
            _check_head(head, tree, keys.key_for(anchorings.get(head.tree_size)), origin)
            head = next(due, None)
    if built + len(pending) < sealed:
        raise VerificationError(f"event {built + len(pending)}: missing — the log ends before "
                                f"its last checkpoint ({sealed} events); truncated?")
    _check_consistency(heads, tree)
    _check_chain(heads, anchorings)
    return AuditReport(built + len(pending), len(heads), len(anchorings), built + len(pending) - sealed)


def _checked_leaves(store: LogStore, sealed: int) -> Iterator[tuple[int, bytes]]:
    """Each event's recomputed leaf hash, after checking it against what was stored and sealed."""
    sealed_leaves = store.sealed_leaves()
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


def _check_head(head: StoredCheckpoint, tree: merkle.MemoryNodes, key: bytes, origin: str) -> None:
    root = merkle.root(head.tree_size, tree)
    if root != head.root:
        raise VerificationError(f"checkpoint at size {head.tree_size}: stored root {head.root.hex()} "
                                f"is not the root of the events ({root.hex()})")
    Checkpoint(origin, head.tree_size, head.root).verify(head.signature, key)


def _check_consistency(heads: Sequence[StoredCheckpoint], tree: merkle.MemoryNodes) -> None:
    for old, new in itertools.pairwise(heads):
        path = prover.consistency_proof(old.tree_size, new.tree_size, tree)
        proof.verify_consistency(old.tree_size, new.tree_size, old.root, new.root, path)


def _check_chain(heads: Sequence[StoredCheckpoint], anchorings: dict[int, Anchoring]) -> None:
    """Every root anchored on chain must be a local checkpoint's, and vice versa."""
    local = {h.tree_size: h.root for h in heads}
    for size, anchored in anchorings.items():
        if size not in local:
            raise VerificationError(f"checkpoint at size {size}: anchored on chain, missing from the store")
        if local[size] != anchored.root:
            raise VerificationError(f"checkpoint at size {size}: the store's root "
                                    "differs from the root anchored on chain")
    for h in heads:
        if h.anchor_tx is not None and h.tree_size not in anchorings:
            raise VerificationError(f"checkpoint at size {h.tree_size}: marked anchored, not on chain")


def check_signed_head(store: LogStore, log: ProvenanceLog, keys: RegisteredKeys, note: str) -> Checkpoint:
    """Check the log against a checkpoint its operator signed that someone kept (a witness's saved note):
    the log must hold that very tree. VerificationError names the two heads if it does not."""
    key = keys.key_for(log.anchoring(Checkpoint.stated_in(note).tree_size))
    kept = open_note(note, log.origin, key)
    heads = store.checkpoints()
    sealed = heads[-1].tree_size if heads else 0
    if kept.tree_size > sealed:
        raise VerificationError(f"the log is behind a checkpoint its operator signed: {describe(kept)}, "
                                f"but the log has sealed {sealed} events — rolled back?")
    ours = merkle.root(kept.tree_size, store)
    if ours != kept.root:
        raise VerificationError(f"equivocation: two signed heads of size {kept.tree_size}: the one kept, "
                                f"{describe(kept)}, and this log's, root {base64.b64encode(ours).decode()}")
    return kept
