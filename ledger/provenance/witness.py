"""Witnesses: an event with its inclusion proof against a checkpoint anchored on chain.

A witness is everything an auditor needs besides the chain::

    {"event_id": 42, "leaf_hash": "0x…", "event": {…},
     "checkpoint": "<the signed note: origin, size, root; the operator's signature line>",
     "anchor": {"tx": "0x…", "block": 39},
     "inclusion": {"leaf_index": 42, "tree_size": 315, "hashes": ["0x…", …]}}

:class:`WitnessCheck` verifies one with nothing but the chain, and checks every field: the event's
RFC 8785 bytes hash to ``leaf_hash``; ``event_id`` is the proof's leaf; the checkpoint note is signed
by the key its anchoring account had registered when it anchored, names this log's origin, and states
the proof's tree size and the root the chain anchored in exactly ``anchor``; the RFC 9162 §2.1.3
audit path leads from the leaf to that root, in Python and in the ``ProvenanceLog`` contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ledger.contracts.participant_registry import ParticipantRegistry
from ledger.contracts.provenance_log import Anchoring, ProvenanceLog
from ledger.errors import LedgerError, NotFound, VerificationError
from ledger.provenance import proof, prover
from ledger.provenance.checkpoint import Checkpoint, open_note
from ledger.provenance.event import Event
from ledger.provenance.store import LogStore, StoredCheckpoint
from ledger.types import Role, Status

FIELDS = {"event_id", "leaf_hash", "event", "checkpoint", "anchor", "inclusion"}


def prove(store: LogStore, event_id: str, check: WitnessCheck) -> dict[str, Any]:
    """The witness of ``event_id`` (leaf index, or leaf hash in hex) in the newest anchored tree."""
    return next(prove_all(store, [event_id], check))


def prove_all(store: LogStore, event_ids: Iterable[str], check: WitnessCheck) -> Iterator[dict[str, Any]]:
    """The witnesses of ``event_ids``, in order, all against the newest anchored checkpoint.

    Every id is resolved before the first witness is made, so a bad one fails the whole request.
    The proofs share one :class:`~ledger.provenance.prover.Prover`: after the first, each reads only its
    stored siblings below the tree's right edge. Each witness is checked against the chain.
    """
    event_ids, size = list(event_ids), store.size()
    if not all(_is_index(event_id) for event_id in event_ids):
        store.index_leaves()  # once for all the hashes looked up
    indexes = [_resolve(store, event_id, size) for event_id in event_ids]
    head = store.newest_anchored()
    late = [i for i in indexes if head is None or i >= head.tree_size]
    if late or head is None:
        raise LedgerError(f"event {late[0] if late else ''} is not yet in an anchored checkpoint; run "
                          "`credtrace log append` or let the sequencer seal")
    proofs = prover.Prover(store)
    note = cosigned_note(head, check, store)
    stored = store.events_at(indexes)
    for index in indexes:
        leaf, body = stored[index]
        path = proofs.inclusion_proof(index, head.tree_size)
        witness = {
            "event_id": index,
            "leaf_hash": "0x" + leaf.hex(),
            "event": json.loads(body),
            "checkpoint": note,
            "anchor": {"tx": head.anchor_tx, "block": head.anchor_block},
            "inclusion": proof.InclusionProof(index, head.tree_size, tuple(path)).to_json(),
        }
        check(witness, in_contract=False)  # a self-check: the chain's root, read once for all
        yield witness


def signed_note(head: StoredCheckpoint, check: WitnessCheck) -> str:
    """``head`` as the C2SP signed note its signer's registered key verifies (see ``checkpoint``)."""
    key = check.key(check.anchoring(head.tree_size))
    return Checkpoint(check.log.origin, head.tree_size, head.root).note(head.signature, key)


def cosigned_note(head: StoredCheckpoint, check: WitnessCheck, store: LogStore) -> str:
    """:func:`signed_note` with the witnesses' cosignature lines the store has for it."""
    return signed_note(head, check) + "".join(store.cosignature_lines(head.tree_size))


def witnesses(registry: ParticipantRegistry) -> list[tuple[str, bytes]]:
    """(account, Ed25519 key) of every active regulator and auditor: who may cosign checkpoints."""
    return [(p.account, p.signing_key) for p in registry.participants()
            if p.role in (Role.REGULATOR, Role.AUDITOR) and p.status is Status.ACTIVE]


class WitnessCheck:
    """Checks witnesses against the chain alone; what the chain says of a checkpoint is read once."""

    def __init__(self, log: ProvenanceLog, registry: ParticipantRegistry) -> None:
        self.log, self.registry = log, registry
        self._anchorings: dict[int, Anchoring] = {}
        self._keys: dict[Anchoring, bytes] = {}

    def __call__(self, witness: Mapping[str, Any], *, in_contract: bool = True) -> None:
        """VerificationError naming the first field that does not hold. The chain is read once per
        checkpoint (its anchoring, its signer's key); ``in_contract`` also runs the audit path through
        the contract's own verifier, one call per witness."""
        event, inclusion = _parts(witness)
        leaf = event.leaf_hash()
        if witness["leaf_hash"] != "0x" + leaf.hex():
            raise VerificationError("leaf_hash is not the hash of the event")
        if witness["event_id"] != inclusion.leaf_index or isinstance(witness["event_id"], bool):
            raise VerificationError("event_id is not the leaf the inclusion proof is for")
        anchoring = self._anchored(witness["anchor"], inclusion.tree_size)
        checkpoint = open_note(_text(witness["checkpoint"]), self.log.origin, self.key(anchoring))
        if (checkpoint.tree_size, checkpoint.root) != (inclusion.tree_size, anchoring.root):
            raise VerificationError("the checkpoint is not the tree head anchored on chain for the proof's size")
        inclusion.verify(leaf, anchoring.root)
        on_chain = (leaf, inclusion.leaf_index, inclusion.tree_size, inclusion.hashes)
        if in_contract and not self.log.verify_inclusion(*on_chain):
            raise VerificationError("the ProvenanceLog contract rejects the inclusion proof")

    def anchoring(self, tree_size: int) -> Anchoring:
        if tree_size not in self._anchorings:
            found = self.log.anchoring(tree_size)
            if found is None:
                raise VerificationError(f"no checkpoint of size {tree_size} is anchored on chain")
            self._anchorings[tree_size] = found
        return self._anchorings[tree_size]

    def key(self, anchoring: Anchoring) -> bytes:
        """The key the anchoring account had registered when it anchored (read once per anchoring)."""
        if anchoring not in self._keys:
            try:
                self._keys[anchoring] = self.registry.signing_key_at(anchoring.by, anchoring.block)
            except LookupError as exc:
                raise VerificationError(f"the checkpoint was anchored by {anchoring.by}: {exc}") from exc
        return self._keys[anchoring]

    def _anchored(self, anchor: Any, tree_size: int) -> Anchoring:
        anchoring = self.anchoring(tree_size)
        if anchor != {"tx": anchoring.tx, "block": anchoring.block}:
            raise VerificationError(f"anchor is not where the chain anchored size {tree_size}: "
                                    f"{anchoring.tx} in block {anchoring.block}")
        return anchoring


def _parts(witness: Mapping[str, Any]) -> tuple[Event, proof.InclusionProof]:
    if not isinstance(witness, Mapping) or set(witness) != FIELDS:
        raise VerificationError(f"not a credtrace witness: expected exactly the fields {', '.join(sorted(FIELDS))}")
    try:
        return Event.from_json(witness["event"]), proof.InclusionProof.from_json(witness["inclusion"])
    except (TypeError, ValueError, LedgerError) as exc:
        raise VerificationError(f"not a credtrace witness: {exc}") from exc


def _text(note: Any) -> str:
    if not isinstance(note, str):
        raise VerificationError("checkpoint is not a signed note (text)")
    return note


def _is_index(event_id: str) -> bool:
    text = event_id.strip().lower().removeprefix("0x")
    return text.isdigit() and len(text) < 20


def _resolve(store: LogStore, event_id: str, size: int) -> int:
    text = event_id.strip().lower().removeprefix("0x")
    if _is_index(event_id):
        index = int(text)
        if index >= size:
            raise NotFound(f"no event {index}: the log has {size} events")
        return index
    try:
        found = store.find(bytes.fromhex(text))
    except ValueError:
        found = None
    if found is None:
        raise NotFound(f"no event with id or leaf hash {event_id!r}")
    return found
