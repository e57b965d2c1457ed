"""The platform, wired once: chain contracts, the database, the sequencer, the catalogue and
its gate. Commands and the demo open it; tests open it on their own home folders."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from api.settings import Settings
from ledger.catalogue.fingerprints import check_keys
from ledger.catalogue.gate import AccessGate, ChainConsents
from ledger.catalogue.ingest import Ingestion, record_pending
from ledger.catalogue.store import CatalogueWriter, SupplyStats
from ledger.catalogue.vault import (
    CATALOGUE_KEY,
    KEY_FILES,
    PSEUDONYM_KEY,
    FileKeyProvider,
    Pseudonymiser,
    Vault,
    load_key,
)
from ledger.chain import Chain, Identity, KeyStore, TransactionSender, deployment
from ledger.contracts import ConsentRegistry, ParticipantRegistry, ProvenanceLog, SanctionsList
from ledger.contracts.consent_registry import NAME as CONSENT_CONTRACT
from ledger.contracts.loan_ledger import NAME as LOAN_CONTRACT
from ledger.contracts.loan_ledger import LoanLedger
from ledger.contracts.participant_registry import NAME as REGISTRY_CONTRACT
from ledger.contracts.provenance_log import NAME as LOG_CONTRACT
from ledger.contracts.reason import ReasonTexts
from ledger.contracts.sanctions_list import NAME as SANCTIONS_CONTRACT
from ledger.migrations import open_engine
from ledger.provenance import AnchorTarget, LogStore, Sequencer
from ledger.types import OrgId


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Platform:
    chain: Chain
    engine: Engine
    operator: Identity
    registry: ParticipantRegistry
    consents: ConsentRegistry
    sanctions: SanctionsList
    log: ProvenanceLog
    sequencer: Sequencer
    pseudonymise: Pseudonymiser
    gate: AccessGate
    ingestion: Ingestion
    stats: SupplyStats
    reasons: ReasonTexts
    loans: LoanLedger

    def seal_and_anchor(self) -> None:
        self.sequencer.seal()
        self.sequencer.anchor()

    def org_id(self, who: Identity) -> OrgId:
        """The on-chain org id: an enterprise's pseudonym, else the organisation's hash."""
        if who.credit_code:
            return OrgId(bytes.fromhex(self.pseudonymise(who.credit_code)))
        return who.org_id


@contextmanager
def opened_platform(settings: Settings, chain: Chain) -> Iterator[Platform]:
    dep = deployment.load(settings.deployment_path)
    keys = catalogue_keys(settings)  # before the database is touched: a missing key stops here
    engine = open_engine(settings.db_url)
    try:
        platform = _wire(settings, chain, dep, engine, keys)
        try:
            yield platform
        finally:
            platform.sequencer.close()
    finally:
        engine.dispose()


def catalogue_keys(settings: Settings) -> dict[str, bytes]:
    """The catalogue's keys by file name, from HOME/secrets; never created here (``credtrace init`` does)."""
    return {name: load_key(settings.secrets_dir / name) for name in KEY_FILES}


def _wire(settings: Settings, chain: Chain, dep: deployment.Deployment, engine: Engine,
          keys: dict[str, bytes]) -> Platform:
    check_keys(engine, settings.secrets_dir, keys)  # the keys this database was written with, or none
    operator = KeyStore(settings.keys_dir).load("operator")
    registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY_CONTRACT))
    consents = ConsentRegistry(deployment.contract(chain, dep, CONSENT_CONTRACT))
    sanctions = SanctionsList(deployment.contract(chain, dep, SANCTIONS_CONTRACT))
    log = ProvenanceLog(deployment.contract(chain, dep, LOG_CONTRACT))
    sequencer = Sequencer(LogStore(engine), operator.signing_key, now_ms,
                          AnchorTarget(log, TransactionSender(chain, operator.account)))
    sequencer.catch_up()
    vault, pseudonymise = Vault(FileKeyProvider(keys[CATALOGUE_KEY])), Pseudonymiser(keys[PSEUDONYM_KEY])
    gate = AccessGate.over(engine, vault, pseudonymise, registry,
                           ChainConsents(consents, registry, lambda: int(time.time())), sanctions, sequencer, now_iso)
    ingestion = Ingestion(CatalogueWriter(engine), vault, pseudonymise, sequencer, registry, now_iso)
    record_pending(ingestion.writer, sequencer)  # batches stored just before a crash get their INGEST
    return Platform(chain, engine, operator, registry, consents, sanctions, log, sequencer, pseudonymise,
                    gate, ingestion, SupplyStats(engine), ReasonTexts(engine),
                    LoanLedger(deployment.contract(chain, dep, LOAN_CONTRACT)))
