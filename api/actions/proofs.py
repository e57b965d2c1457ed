"""The provenance log's public face: the newest anchored checkpoint as a C2SP signed note, witnesses
(an event with its inclusion proof), consistency proofs between two sizes, the operator's note
verifier key. ``credtrace log …`` prints these; the API serves them (``api.http.routes.proofs``).

A :class:`~ledger.provenance.witness.WitnessCheck` caches what the chain says of each anchored size
(its anchoring, its signer's key), which never changes once anchored: the server keeps one for its
lifetime, so serving a checkpoint or a proof reads the store and not the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api import ApiError
from api.settings import Settings

if TYPE_CHECKING:
    from ledger.chain import Chain
    from ledger.contracts import ProvenanceLog
    from ledger.provenance import LogStore
    from ledger.provenance.store import StoredCheckpoint
    from ledger.provenance.witness import WitnessCheck


@dataclass(frozen=True)
class Head:
    """The newest anchored checkpoint: its note (with the witnesses' cosignatures) and where it is anchored."""

    checkpoint: StoredCheckpoint
    note: str

    def to_json(self) -> dict[str, Any]:
        c = self.checkpoint
        return {"note": self.note, "tree_size": c.tree_size, "root": "0x" + c.root.hex(),
                "anchor": {"tx": c.anchor_tx, "block": c.anchor_block}}


def log_contract(chain: Chain, settings: Settings) -> ProvenanceLog:
    from ledger.chain import deployment
    from ledger.contracts import ProvenanceLog
    from ledger.contracts.provenance_log import NAME as LOG_CONTRACT

    dep = deployment.load(settings.deployment_path)
    return ProvenanceLog(deployment.contract(chain, dep, LOG_CONTRACT))


def witness_check(chain: Chain, settings: Settings) -> WitnessCheck:
    from ledger.chain import deployment
    from ledger.contracts import ParticipantRegistry
    from ledger.contracts.participant_registry import NAME as REGISTRY
    from ledger.provenance.witness import WitnessCheck

    registry = ParticipantRegistry(deployment.contract(chain, deployment.load(settings.deployment_path), REGISTRY))
    return WitnessCheck(log_contract(chain, settings), registry)


def newest_anchored(store: LogStore) -> StoredCheckpoint:
    found = store.newest_anchored()
    if found is None:
        raise ApiError("no checkpoint is anchored yet: run `credtrace log append`")
    return found


def head(store: LogStore, check: WitnessCheck) -> Head:
    """The newest anchored checkpoint as ``log checkpoint`` prints it, cosignatures included."""
    from ledger.provenance.witness import cosigned_note

    found = newest_anchored(store)
    return Head(found, cosigned_note(found, check, store))


def verifier_key(settings: Settings, check: WitnessCheck) -> str:
    """``<name>+<key id hex>+<base64 key>``: the deployer's (operator's) note verifier key, from the registry."""
    from ledger.chain import deployment
    from ledger.provenance.checkpoint import verifier_key as vkey

    key = check.registry.participant(deployment.load(settings.deployment_path).deployer).signing_key
    return vkey(check.log.origin, key)


def witnesses(store: LogStore, event_ids: list[str], check: WitnessCheck) -> list[dict[str, Any]]:
    """Each id's witness (``log prove``), all against the newest anchored checkpoint."""
    from ledger.provenance.witness import prove_all

    return list(prove_all(store, event_ids, check))


def consistency(store: LogStore, old: int, new: int) -> dict[str, Any]:
    """RFC 9162 §2.1.4 consistency proof between sizes ``old`` and ``new`` of the sealed tree, as JSON."""
    from ledger.provenance import prover
    from ledger.provenance.proof import ConsistencyProof

    sealed = store.sealed_size()
    if not 0 <= old <= new <= sealed:
        raise ApiError(f"sizes must satisfy 0 <= OLD <= NEW <= {sealed} (the sealed tree), got {old} and {new}")
    return ConsistencyProof(old, new, tuple(prover.consistency_proof(old, new, store))).to_json()
