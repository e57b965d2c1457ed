"""What the platform did, counted (seeds R5, R10): the log's events by the role of their actor (data
use: ACCESS, DENIED, OUTPUT, INGEST …), and the chain's and the log's own figures, in all and per period.
Pure.

An actor's role is the one the ParticipantRegistry's events gave its account (``ParticipantRegistered``,
or an ``AppointmentEnacted`` of a proposal naming the role): a participant holds one role (DESIGN §2). An
actor the registry never named (a refused stranger) is :data:`UNREGISTERED`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.provenance.store import StoredCheckpoint
from ledger.types import Role

UNREGISTERED = "UNREGISTERED"


@dataclass(frozen=True)
class Use:
    period: str
    role: str
    action: str
    events: int


@dataclass(frozen=True)
class Activity:
    period: str
    blocks: int
    transactions: int
    chain_events: int
    """Events of the deployed contracts."""
    log_events: int
    anchors: int
    """Checkpoints anchored on chain (``CheckpointAnchored``)."""


@dataclass(frozen=True)
class Totals:
    blocks: int
    """Genesis included: the head's number + 1."""
    transactions: int
    chain_events: int
    by_contract: tuple[tuple[str, int], ...]
    anchors: int
    anchored_size: int
    """The largest tree size anchored on chain (0 if none)."""
    log_events: int
    checkpoints: int
    """Checkpoints signed (in the database), and how many of them the database marks anchored."""
    checkpoints_anchored: int


def roles(registry: Sequence[Any]) -> dict[str, str]:
    """Account → its role's name, from the ParticipantRegistry's events (web3 EventData, in chain order)."""
    found: dict[str, str] = {}
    proposed: dict[int, int] = {}
    for e in registry:
        args = e["args"]
        if e["event"] == "ParticipantRegistered":
            found[args["account"]] = Role(int(args["role"])).name
        elif e["event"] == "AppointmentProposed":
            proposed[int(args["id"])] = int(args["role"])
        elif e["event"] == "AppointmentEnacted" and int(args["id"]) in proposed:
            found[args["account"]] = Role(proposed[int(args["id"])]).name
    return found


def uses(log: Mapping[tuple[str, str, str], int], role: Mapping[str, str], labels: Sequence[str]) -> tuple[Use, ...]:
    """Log events counted by (period, role, action), from their counts by (period, actor, action)."""
    counted: Counter[tuple[str, str, str]] = Counter()
    for (period, actor, action), n in log.items():
        counted[(period, role.get(actor, UNREGISTERED), action)] += n
    order = {label: i for i, label in enumerate(labels)}
    return tuple(Use(p, r, a, n) for (p, r, a), n in sorted(counted.items(), key=lambda kv: (order[kv[0][0]],
                                                                                             kv[0][1], kv[0][2])))


def activity(events: Mapping[str, Sequence[Any]], transactions: Sequence[int], log: Mapping[tuple[str, str, str], int],
             block_period: Callable[[int], str], labels: Sequence[str]) -> tuple[Activity, ...]:
    blocks = Counter(block_period(n) for n in range(len(transactions)))
    txs: Counter[str] = Counter()
    for n, count in enumerate(transactions):
        txs[block_period(n)] += count
    chain = Counter(block_period(int(e["blockNumber"])) for found in events.values() for e in found)
    anchors = Counter(block_period(int(e["blockNumber"])) for e in events.get("ProvenanceLog", ())
                      if e["event"] == "CheckpointAnchored")
    logged: Counter[str] = Counter()
    for (period, _, _), n in log.items():
        logged[period] += n
    return tuple(Activity(p, blocks[p], txs[p], chain[p], logged[p], anchors[p]) for p in labels)


def totals(events: Mapping[str, Sequence[Any]], transactions: Sequence[int], log_size: int,
           checkpoints: Sequence[StoredCheckpoint]) -> Totals:
    anchored = [e for e in events.get("ProvenanceLog", ()) if e["event"] == "CheckpointAnchored"]
    return Totals(len(transactions), sum(transactions), sum(len(found) for found in events.values()),
                  tuple((name, len(found)) for name, found in events.items()), len(anchored),
                  max((int(e["args"]["treeSize"]) for e in anchored), default=0), log_size, len(checkpoints),
                  sum(1 for c in checkpoints if c.anchor_tx is not None))
