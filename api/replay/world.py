"""What a replay reads: the chain (its contracts, found through the deployment and checked against the
artifacts), every event of them read once, the platform's database and its provenance log, and the model
artifacts under HOME/models. Steps 2 to 4 take it; step 1 runs before it is opened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from api.replay.history import History
from ledger.chain import Chain
from ledger.chain.contract import DeployedContract
from ledger.provenance import LogStore


@dataclass(frozen=True)
class World:
    chain: Chain
    contracts: dict[str, DeployedContract]
    """By contract name (ParticipantRegistry, LoanLedger …), each one's code checked."""
    history: History
    engine: Engine
    store: LogStore
    models_dir: Path
