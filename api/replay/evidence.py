"""The :class:`oracle.verify.Evidence` for each decided application, built from events read once
(:mod:`api.replay.history`) rather than asked for per application as :mod:`oracle.evidence` does for one
record: the same facts, so :func:`oracle.verify.checks` (the checks ``decision verify`` runs) is reused as
it is. The cited ``ACCESS`` events are read from the log itself (step 4 verifies the whole log against the
roots anchored on chain), and the record's checkpoint root from the ``CheckpointAnchored`` events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from api.replay.history import History, position
from ledger.contracts import ParticipantRegistry
from ledger.contracts.loan_ledger import LoanLedger, product_code
from ledger.contracts.participant_registry import key_as_of
from ledger.errors import ContractRevert
from ledger.provenance import LogStore
from ledger.types import Role
from oracle import record
from oracle.claim import Claim
from oracle.verify import Decided, Evidence, Proven, Signer


class Index:
    """The events :func:`evidence` needs, by application, oracle and model."""

    def __init__(self, history: History, loans: LoanLedger, registry: ParticipantRegistry, chain_id: int) -> None:
        self.loans, self.registry, self.chain_id = loans, registry, chain_id
        self.applied, self.decided = _by_application(history, "Applied"), _by_application(history, "Decided")
        self.votes: dict[int, dict[str, tuple[str, int]]] = {}
        for e in history.named("LoanLedger", "DecisionSubmitted"):
            self.votes.setdefault(int(e["args"]["applicationId"]), {})[e["args"]["oracle"]] = (
                bytes(e["args"]["recordHash"]).hex(), int(e["blockNumber"]))
        self.keys: dict[str, list[tuple[int, int, bytes]]] = {}
        for e in history.named("ParticipantRegistry", "ParticipantRegistered"):
            self.keys.setdefault(e["args"]["account"], []).append((*position(e), bytes(e["args"]["signingKey"])))
        for e in history.named("ParticipantRegistry", "SigningKeyRotated"):
            self.keys.setdefault(e["args"]["account"], []).append((*position(e), bytes(e["args"]["newKey"])))
        self.policies = [(position(e), int(e["args"]["version"])) for e in history.named("LoanLedger", "PolicySet")]
        self.approved = _first(history, "ModelApproved")
        self.retired = _first(history, "ModelRetired")
        self.anchored = {int(e["args"]["treeSize"]): bytes(e["args"]["root"]).hex()
                         for e in history.named("ProvenanceLog", "CheckpointAnchored")}

    def application(self, application_id: int) -> record.Application | None:
        e = self.applied.get(application_id)
        if e is None:
            return None
        a = e["args"]
        return record.Application(self.chain_id, self.loans.contract.address, application_id, a["bank"],
                                  bytes(a["subject"]).hex(), bytes(a["consentId"]).hex(), int(a["amount"]),
                                  int(a["termMonths"]), product_code(bytes(a["productId"])))

    def decided_of(self, application_id: int) -> Decided | None:
        e = self.decided.get(application_id)
        if e is None:
            return None
        a = e["args"]
        return Decided(bool(a["approved"]), int(a["limit"]), int(a["rateBps"]), int(a["pdPpm"]), int(a["score"]),
                       bytes(a["modelId"]).hex(), bytes(a["recordHash"]).hex(), position(e),
                       "0x" + bytes(e["transactionHash"]).hex())

    @cache  # noqa: B019 - one Index per replay: the cache lives as long as the replay
    def role(self, account: str) -> Role:
        try:
            return self.registry.participant(account).role  # type: ignore[arg-type]
        except ContractRevert:
            return Role.NONE

    @cache  # noqa: B019
    def quorum(self, version: int) -> int:
        return self.loans.policy(version).quorum

    def quorum_at(self, at: tuple[int, int]) -> int:
        earlier = [version for where, version in self.policies if where < at]
        return self.quorum(earlier[-1]) if earlier else 1

    def signer(self, keyid: str, application_id: int, decided: int) -> Signer:
        if not is_address(keyid):
            return Signer(Role.NONE, None, decided, None)
        account = to_checksum_address(keyid)
        submitted, block = self.votes.get(application_id, {}).get(account, (None, decided))
        history = [(b, key) for b, _, key in sorted(self.keys.get(account, []))]
        try:
            key: bytes | None = key_as_of(history, block)
        except LookupError:
            key = None
        return Signer(self.role(account) if key else Role.NONE, key, block, submitted)


def _by_application(history: History, name: str) -> dict[int, Any]:
    """Application id → its (one) ``name`` event."""
    return {int(e["args"]["applicationId"]): e for e in history.named("LoanLedger", name)}


def _first(history: History, name: str) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for e in history.named("ModelRegistry", name):
        found.setdefault(bytes(e["args"]["modelId"]).hex(), position(e))
    return found


def evidence(index: Index, claim: Claim, store: LogStore) -> Evidence:
    """What :func:`oracle.verify.checks` checks ``claim`` against, from the index and the log."""
    d = claim.decision
    decided = index.decided_of(d.application_id)
    at = decided.at if decided else (2**63, 0)
    signers = {k: index.signer(k, d.application_id, at[0]) for k in claim.envelope.signatures}
    model = d.model_id.lower().removeprefix("0x")
    root = index.anchored.get(d.checkpoint.tree_size) if d.checkpoint else None
    return Evidence(index.chain_id, index.loans.contract.address, index.application(d.application_id), decided,
                    index.quorum_at(at), signers, index.approved.get(model), index.retired.get(model),
                    _proven(store, d.access_events), root)


def _proven(store: LogStore, cited: tuple[int, ...]) -> Mapping[int, Proven]:
    bodies = store.events_at(cited)
    return {i: Proven(_event(bodies[i][1])) if i in bodies else Proven(None, f"event {i} is not in the log")
            for i in cited}


def _event(body: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(body)
    return found
