"""What anyone may read of the provenance log, and the witnesses a participant may fetch: the same
documents ``credtrace log checkpoint|prove|consistency`` print (``api.actions.proofs``).

* ``GET /v1/log/checkpoint``: the newest anchored checkpoint, its C2SP signed note with the witnesses'
  cosignatures, its size, root and anchor. Unsigned.
* ``GET /v1/log/vkey``: the operator's note verifier key, to check that note with any note verifier. Unsigned.
* ``GET /v1/log/proofs/{event_id}``: the inclusion proof of an event (leaf index or leaf hash) in the newest
  anchored tree, with its leaf hash, the note and the anchor, **without the event's body**. Unsigned.
* ``GET /v1/log/witnesses?event=…``: the full witnesses ``log prove`` prints, the event's body included, all
  against one checkpoint; ``credtrace log check`` verifies them offline. **Signed** by any active participant.
* ``GET /v1/log/consistency?old=&new=``: RFC 9162 §2.1.4 consistency proof between two sealed sizes. Unsigned.

Why the body needs a signature: events hold pseudonyms, not raw data, but with the actor, the purpose
and the consent they tell who read which enterprise's data when; that is for the platform's
accountable participants, not for anyone on the network. A proof alone tells nothing of the
event: it lets whoever holds an event (or its leaf hash) check that the log has it, which is what
the public needs to keep the operator honest.

These are the reads the load benchmark hits, so none calls the chain per request: the newest anchored
head is one indexed read of the store, and the server keeps one ``WitnessCheck`` whose cache of each
anchored size's anchoring and signer key is exact (an anchoring never changes once made).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, StringConstraints

from api.actions import proofs
from api.http.auth import Signed
from api.http.service import Service, service
from ledger.provenance import LogStore
from ledger.provenance.witness import WitnessCheck

router = APIRouter(tags=["log"])
EventId = Annotated[str, StringConstraints(min_length=1, max_length=80)]
MAX_SIZE = 2**62


class Anchor(BaseModel):
    tx: str | None
    block: int | None


class Inclusion(BaseModel):
    leaf_index: int
    tree_size: int
    hashes: list[str]


class Checkpoint(BaseModel):
    note: str
    tree_size: int
    root: str
    anchor: Anchor


class VerifierKey(BaseModel):
    vkey: str


class Proof(BaseModel):
    """An event's inclusion proof without its body: ``event_id``, ``leaf_hash``, the signed note, the anchor."""

    event_id: int
    leaf_hash: str
    checkpoint: str
    anchor: Anchor
    inclusion: Inclusion


class Witness(BaseModel):
    """What ``credtrace log prove`` prints and ``credtrace log check`` verifies."""

    event_id: int
    leaf_hash: str
    event: dict[str, Any]
    checkpoint: str
    anchor: Anchor
    inclusion: Inclusion


class Consistency(BaseModel):
    old_size: int
    new_size: int
    hashes: list[str]


Svc = Annotated[Service, Depends(service)]


def checker(request: Request, svc: Svc) -> WitnessCheck:
    """The server's one WitnessCheck (its chain answers cached for the server's lifetime)."""
    found = getattr(request.app.state, "witness_check", None)
    if found is None:
        found = request.app.state.witness_check = proofs.witness_check(svc.chain, svc.settings)
    assert isinstance(found, WitnessCheck)
    return found


Check = Annotated[WitnessCheck, Depends(checker)]


def _store(svc: Service) -> LogStore:
    return LogStore(svc.platform.engine)


@router.get("/v1/log/checkpoint")
def checkpoint(svc: Svc, check: Check) -> Checkpoint:
    """The newest anchored checkpoint (c2sp.org/tlog-checkpoint signed note, cosignatures included)."""
    return Checkpoint.model_validate(proofs.head(_store(svc), check).to_json())


@router.get("/v1/log/vkey")
def vkey(svc: Svc, check: Check) -> VerifierKey:
    """The operator's note verifier key: ``<name>+<key id hex>+<base64 key>`` (golang.org/x/mod/sumdb/note)."""
    return VerifierKey(vkey=proofs.verifier_key(svc.settings, check))


@router.get("/v1/log/proofs/{event_id}")
def inclusion(event_id: Annotated[EventId, Path()], svc: Svc, check: Check) -> Proof:
    """An event's inclusion proof (leaf index or leaf hash) against the newest anchored checkpoint."""
    witness = proofs.witnesses(_store(svc), [event_id], check)[0]
    return Proof.model_validate({k: v for k, v in witness.items() if k != "event"})


@router.get("/v1/log/witnesses")
def witnesses(caller: Signed, svc: Svc, check: Check,
              event: Annotated[list[EventId], Query(min_length=1, max_length=256)]) -> list[Witness]:
    """Each event's witness, body included, all against one checkpoint (signed: any active participant)."""
    return [Witness.model_validate(w) for w in proofs.witnesses(_store(svc), event, check)]


@router.get("/v1/log/consistency")
def consistency(svc: Svc, old: Annotated[int, Query(ge=0, le=MAX_SIZE)],
                new: Annotated[int, Query(ge=0, le=MAX_SIZE)]) -> Consistency:
    """The consistency proof between sealed tree sizes ``old`` and ``new`` (RFC 9162 §2.1.4)."""
    return Consistency.model_validate(proofs.consistency(_store(svc), old, new))
