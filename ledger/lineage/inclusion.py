"""Each selected event checked by its RFC 9162 inclusion proof (§2.1.3) against a root anchored on chain.

The witness is the one ``credtrace log prove`` prints (``ledger.provenance.witness``), made from the body
as it is stored, and checked by the same :class:`~ledger.provenance.witness.WitnessCheck`: the body's
RFC 8785 bytes must hash to the stored leaf, the audit path must lead from that leaf to the root the
``ProvenanceLog`` contract anchored for the newest checkpoint, signed by the key its anchoring account
had registered then. Unlike ``log prove``, a failure does not stop the trace: it is that event's result
(an edited body fails its own proof, and is named). Events after the newest anchored checkpoint are
reported as not yet anchored, never as verified.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ledger.errors import LedgerError, VerificationError
from ledger.lineage.timeline import LogEntry, Proof
from ledger.provenance import prover
from ledger.provenance.proof import InclusionProof
from ledger.provenance.store import LogStore, StoredCheckpoint
from ledger.provenance.witness import WitnessCheck, cosigned_note


def checked(store: LogStore, entries: Sequence[LogEntry], check: WitnessCheck) -> list[LogEntry]:
    """``entries`` with their proofs, all against the newest checkpoint the store says is anchored
    (the check asks the chain whether it is)."""
    anchored = [h for h in store.checkpoints() if h.anchor_tx is not None]
    if not anchored:
        return list(entries)
    head = anchored[-1]
    try:
        note = cosigned_note(head, check, store)
    except (VerificationError, LedgerError) as exc:
        return [replace(e, proof=Proof("failed", head.tree_size, f"checkpoint: {exc}"))
                if e.index < head.tree_size else e for e in entries]
    proofs, stored = prover.Prover(store), store.events_at([e.index for e in entries if e.index < head.tree_size])
    return [replace(e, proof=_proof(e.index, stored[e.index], head, note, proofs, check))
            if e.index < head.tree_size else e for e in entries]


def _proof(index: int, stored: tuple[bytes, str], head: StoredCheckpoint, note: str, proofs: prover.Prover,
           check: WitnessCheck) -> Proof:
    leaf, body = stored
    path = proofs.inclusion_proof(index, head.tree_size)
    try:
        witness: dict[str, Any] = {
            "event_id": index, "leaf_hash": "0x" + leaf.hex(), "event": json.loads(body), "checkpoint": note,
            "anchor": {"tx": head.anchor_tx, "block": head.anchor_block},
            "inclusion": InclusionProof(index, head.tree_size, tuple(path)).to_json(),
        }
    except ValueError:
        return Proof("failed", head.tree_size, f"event {index}: the stored body is not JSON (edited?)")
    try:
        check(witness, in_contract=False)
    except (VerificationError, LedgerError) as exc:
        return Proof("failed", head.tree_size, f"event {index}: {exc}", witness)
    return Proof("verified", head.tree_size, witness=witness)
