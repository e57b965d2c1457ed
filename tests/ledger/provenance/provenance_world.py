"""Shared set-up for the provenance-log tests: a chain with the contracts, a store, a sequencer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from eth_account import Account
from nacl.signing import SigningKey

from ledger.chain import Chain, TransactionSender, deployment
from ledger.contracts import ParticipantRegistry, ProvenanceLog
from ledger.contracts.participant_registry import NAME as REGISTRY_NAME
from ledger.contracts.provenance_log import NAME as LOG_NAME
from ledger.migrations import open_engine
from ledger.provenance import AnchorTarget, Event, LogStore, RegisteredKeys, Sequencer
from ledger.provenance.witness import WitnessCheck

_counter = itertools.count()


@dataclass
class World:
    chain: Chain
    store: LogStore
    log: ProvenanceLog
    key: SigningKey
    sender: TransactionSender
    sequencer: Sequencer
    registry: ParticipantRegistry

    def keys(self) -> RegisteredKeys:
        """The operator's keys as the chain records them."""
        return RegisteredKeys(self.registry, self.sender.address)

    def witness_check(self) -> WitnessCheck:
        return WitnessCheck(self.log, self.registry)

    def restart(self) -> Sequencer:
        """A new sequencer over the same store and chain, as after a process restart."""
        if self.sequencer is not None:
            self.sequencer.close()
        self.sequencer = Sequencer(self.store, self.key, clock, AnchorTarget(self.log, self.sender))
        return self.sequencer


def clock() -> int:
    return 1_790_000_000_000 + next(_counter)


def build(chain: Chain, db_url: str, operator: Account | None = None) -> World:
    account = operator or Account.create()
    if operator is None:
        chain.fund(account.address, 10**21)
    key = SigningKey.generate()
    sender = TransactionSender(chain, account)
    dep = deployment.deploy(sender, b"o" * 32, bytes(key.verify_key),
                            [(Account.create().address, b"r" * 32, b"k" * 32)])  # a genesis regulator
    log = ProvenanceLog(deployment.contract(chain, dep, LOG_NAME))
    registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY_NAME))
    store = LogStore(open_engine(db_url))
    world = World(chain, store, log, key, sender, None, registry)  # type: ignore[arg-type]
    world.restart()
    return world


def event(n: int, action: str = "ACCESS") -> Event:
    return Event.from_json({
        "action": action, "actor": "0x" + "ab" * 20, "subject": f"{n:064x}", "assets": [f"{n + 1:064x}"],
        "purpose": "credit-assessment", "consent": None, "request_id": f"req-{n}",
        "time": "2026-11-24T15:20:00Z",
    })
