"""The edge of the evaluation: everything it folds, read from the chain, the provenance log and the
database, and nothing from the driver's memory.

- the chain: every event of the deployed contracts, read once (``api.replay.history``, the replay's own
  reader: ``eth_getLogs`` by address in ranges of blocks), and each block's timestamp and number of
  transactions (``eth_getBlockByNumber``, in JSON-RPC batches of :data:`BATCH`);
- the log: its events counted by period, actor and action (each read from its canonical body as stored,
  streamed, so a long log is never held whole), its size, and the checkpoints;
- the database: the journal's steps and parameters (``api.pilot.journal``) and the catalogue's counts
  for the departments' assessment, at the end of each month (``api.evaluation.supply``) or, without a
  journal, as they stand (``api.actions.ledger.departments``);
- the home: key names by address, only to label banks (the chain has addresses).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Engine

from api.evaluation.periods import ALL, Calendar, calendar
from api.pilot.journal import Journal, Params, Step
from api.settings import Settings
from ledger.catalogue.assessment import DepartmentAssessment
from ledger.chain import Chain
from ledger.provenance.store import StoredCheckpoint
from ledger.types import Address

BATCH = 500
"""Blocks per JSON-RPC batch request."""


@dataclass(frozen=True)
class Readings:
    chain_id: int
    head: int
    loan_ledger: Address
    """The LoanLedger's address: the operating ledger's source."""
    loan_ledger_block: int
    events: Mapping[str, tuple[Any, ...]]
    """Contract name → its events (web3 ``EventData``: ``event``, ``args``, ``blockNumber`` …) in chain order."""
    timestamps: tuple[int, ...]
    """Block number → its timestamp (seconds)."""
    transactions: tuple[int, ...]
    """Block number → how many transactions it holds."""
    log: Mapping[tuple[str, str, str], int]
    """(period, actor, action) → how many log events."""
    log_size: int
    checkpoints: tuple[StoredCheckpoint, ...]
    calendar: Calendar
    steps: tuple[Step, ...]
    params: Params | None
    assessments: tuple[tuple[str, tuple[DepartmentAssessment, ...]], ...]
    """Each period and the departments' assessment at its end."""
    names: Mapping[str, str]
    """Key names by address (labels only)."""

    def named(self, contract: str, event: str) -> list[Any]:
        return [e for e in self.events.get(contract, ()) if e["event"] == event]


def read(settings: Settings, chain: Chain, engine: Engine) -> Readings:
    from api.replay import history
    from ledger.chain import artifact, deployment
    from ledger.chain.contract import DeployedContract
    from ledger.contracts.loan_ledger import NAME
    from ledger.provenance import LogStore

    dep = deployment.load(settings.deployment_path)
    contracts = {name: DeployedContract(chain, artifact.load(name), r.address) for name, r in dep.contracts.items()}
    found = history.read(chain, contracts)
    timestamps, transactions = _blocks(chain, found.head)
    journal = Journal(engine)
    steps = tuple(journal.steps())
    days = calendar(steps)
    store = LogStore(engine)
    size = store.size()
    return Readings(
        int(chain.web3.eth.chain_id), found.head, dep.contracts[NAME].address, dep.contracts[NAME].block_number,
        {name: tuple(events) for name, events in found.events.items()}, timestamps, transactions,
        _log(store, size, days), size, tuple(store.checkpoints()), days, steps, journal.params(),
        _assessments(engine, days, size), _names(settings))


def _blocks(chain: Chain, head: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    web3 = chain.web3
    times: list[int] = []
    counts: list[int] = []
    for start in range(0, head + 1, BATCH):
        with web3.batch_requests() as batch:
            for number in range(start, min(start + BATCH, head + 1)):
                batch.add(web3.eth.get_block(number))
            for block in cast(list[dict[str, Any]], batch.execute()):
                times.append(int(block["timestamp"]))
                counts.append(len(block["transactions"]))
    return tuple(times), tuple(counts)


def _log(store: Any, size: int, days: Calendar) -> Counter[tuple[str, str, str]]:
    counted: Counter[tuple[str, str, str]] = Counter()
    for index, _, body in store.leaves(0, size):
        doc = json.loads(body)
        counted[(days.of_log(index), str(doc["actor"]), str(doc["action"]))] += 1
    return counted


def _assessments(engine: Engine, days: Calendar, size: int) -> tuple[tuple[str, tuple[DepartmentAssessment, ...]], ...]:
    """At each month's end (its last log event) when the journal has months; else as the catalogue stands."""
    from api.actions.ledger import departments
    from api.evaluation.supply import SupplyBefore
    from ledger.catalogue.assessment import assess

    if days.labels == (ALL,):
        return ((ALL, tuple(departments(engine))),)
    return tuple((label, tuple(assess(SupplyBefore(engine, size if end is None else end))))
                 for label, end in days.log_ends())


def _names(settings: Settings) -> dict[str, str]:
    from api.node import keystore
    from ledger.errors import LedgerError

    try:
        return {who.address: who.name for who in keystore(settings).all()}
    except LedgerError:
        return {}
