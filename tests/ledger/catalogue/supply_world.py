"""A catalogue on a chain for the ingestion tests: the contracts deployed by a fresh operator,
participants registered with the org ids given, an Ingestion wired to the registry."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ledger.catalogue.ingest import Ingestion
from ledger.catalogue.rights import department_org_id
from ledger.catalogue.store import CatalogueWriter
from ledger.catalogue.vault import FileKeyProvider, Pseudonymiser, Vault
from ledger.chain import Chain, Identity, TransactionSender, deployment
from ledger.contracts import ParticipantRegistry, ProvenanceLog
from ledger.contracts.participant_registry import NAME as REGISTRY
from ledger.contracts.provenance_log import NAME as LOG
from ledger.migrations import open_engine
from ledger.provenance import AnchorTarget, LogStore, Sequencer
from ledger.types import OrgId, Role

_ticks = itertools.count()


@dataclass
class SupplyWorld:
    chain: Chain
    registry: ParticipantRegistry
    operator: Identity
    regulator: Identity
    """The genesis regulator (the operator cannot register one: issue 12)."""
    ingestion: Ingestion
    make: Callable[[Role], Identity]
    send: Callable[[Identity], TransactionSender]

    def register(self, role: Role, department: str | None = None) -> Identity:
        """A fresh participant; a provider with ``department`` gets that department's org id."""
        who = self.make(role)
        org = department_org_id(department) if department else OrgId(who.org_id)
        self.registry.register(self.send(self.operator), who.address, role, org, who.signing_public_key)
        return who

    def at(self, time: str) -> Ingestion:
        return replace(self.ingestion, now=lambda: time)

    def event(self, back: int = 1) -> dict[str, Any]:
        store = self.ingestion.sequencer.store
        [(_, _, body)] = store.leaves(store.size() - back, store.size() - back + 1)
        return dict(json.loads(body))


def build(chain: Chain, make: Callable[[Role], Identity], send: Callable[[Identity], TransactionSender],
          tmp_path: Path) -> SupplyWorld:
    operator, regulator = make(Role.OPERATOR), make(Role.REGULATOR)
    genesis = [(regulator.address, regulator.org_id, regulator.signing_public_key)]
    dep = deployment.deploy(send(operator), operator.org_id, operator.signing_public_key, genesis)
    registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))
    log = ProvenanceLog(deployment.contract(chain, dep, LOG))
    engine = open_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    sequencer = Sequencer(LogStore(engine), operator.signing_key, lambda: 1_790_000_000_000 + next(_ticks),
                          AnchorTarget(log, send(operator)))
    vault = Vault(FileKeyProvider(b"v" * 32))
    ingestion = Ingestion(CatalogueWriter(engine), vault, Pseudonymiser(b"p" * 32), sequencer, registry,
                          lambda: "2026-11-30T12:00:00Z")
    return SupplyWorld(chain, registry, operator, regulator, ingestion, make, send)
