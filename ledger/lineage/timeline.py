"""Which provenance events concern a target, and the trace's entries in time order (pure).

An event is selected when its subject is the target's pseudonym, its assets or outputs hold one of the
target's hashes, its request id is one of the target's, or the catalogue names its index (an INGEST,
whose subject is a whole batch). Citations close the set once each way: a DECISION names the ``ACCESS``
events it relied on by leaf hash (``oracle.service``), so a selected ACCESS brings the DECISION that
cites it, and a selected DECISION brings the ACCESS events it cites. A stored body that is not JSON any
more (edited) is still selected when the target's pseudonym, one of its hashes or its index is in it:
a tampered event must show up as tampered, not vanish from the trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ledger.lineage.target import Target

Row = tuple[int, bytes, str]
"""(index, stored leaf hash, stored body): what ``LogStore.leaves`` yields."""


@dataclass(frozen=True)
class Proof:
    """An event's inclusion proof, as checked against the chain."""

    status: str
    """``verified``, ``failed`` or ``unanchored`` (after the newest checkpoint anchored on chain)."""
    tree_size: int | None = None
    detail: str = ""
    witness: dict[str, Any] | None = None
    """What ``credtrace log check`` re-checks with the chain alone (``ledger.provenance.witness``)."""

    def describe(self) -> str:
        if self.status == "verified":
            return f"proof: verified against anchored root of tree size {self.tree_size}"
        if self.status == "unanchored":
            return "proof: not yet anchored (after the newest checkpoint anchored on chain)"
        return f"proof: FAILED ({self.detail})"


@dataclass(frozen=True)
class LogEntry:
    index: int
    leaf: str
    """The stored leaf hash, hex."""
    event: dict[str, Any] | None
    """The stored body parsed, or None when it is not a JSON object any more."""
    why: str
    proof: Proof = field(default_factory=lambda: Proof("unanchored"))

    @property
    def time(self) -> str:
        return str((self.event or {}).get("time", ""))

    @property
    def action(self) -> str:
        return str((self.event or {}).get("action", "?"))


@dataclass(frozen=True)
class ChainEntry:
    """One contract event: where the chain put it, its block's time, its arguments made JSON."""

    contract: str
    name: str
    block: int
    log_index: int
    tx: str
    time: str
    """The block's time, RFC 3339 UTC with microseconds, as log events' times are written."""
    args: dict[str, Any]


Entry = LogEntry | ChainEntry


def select(rows: Sequence[Row], target: Target) -> list[LogEntry]:
    """The entries of the events that concern ``target``, in log order, without proofs yet."""
    parsed = [(index, leaf, _parsed(body), body) for index, leaf, body in rows]
    chosen = {index: why for index, _, event, body in parsed if (why := _direct(index, event, body, target))}
    access = {leaf.hex(): index for index, leaf, event, _ in parsed
              if index in chosen and _action(event) == "ACCESS"}
    cited = {h for index, _, event, _ in parsed if index in chosen and _action(event) == "DECISION"
             for h in _hashes(event, "assets")}
    for index, leaf, event, _ in parsed:
        hit = set(_hashes(event, "assets")) & set(access) if _action(event) == "DECISION" else set()
        if index not in chosen and hit:
            chosen[index] = f"cites ACCESS event {min(access[h] for h in hit)}"
        elif index not in chosen and leaf.hex() in cited:
            chosen[index] = "cited by a DECISION of the trace"
    return [LogEntry(index, leaf.hex(), event, chosen[index]) for index, leaf, event, _ in parsed if index in chosen]


def _direct(index: int, event: dict[str, Any] | None, body: str, target: Target) -> str | None:
    if index in target.indexes:
        return "a batch holding the target's records (catalogue)"
    if event is None:
        named = target.by_subject and target.subject is not None and target.subject in body
        found = named or any(h in body for h in target.hashes)
        return "matches the target (body no longer JSON)" if found else None
    if target.by_subject and target.subject is not None and event.get("subject") == target.subject:
        return "subject"
    if target.hashes & {*_hashes(event, "assets"), *_hashes(event, "outputs")}:
        return "asset"
    if event.get("request_id") in target.request_ids:
        return "request id"
    return None


def ordered(log: Iterable[LogEntry], chain: Iterable[ChainEntry]) -> list[Entry]:
    """Oldest first; at equal times chain events by (block, log index) and log events by index."""
    keyed: list[tuple[tuple[str, int, int, int], Entry]] = [((e.time, 1, e.index, 0), e) for e in log]
    keyed += [((e.time, 0, e.block, e.log_index), e) for e in chain]
    return [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]


def as_json(entry: Entry) -> dict[str, Any]:
    """An entry as the trace's JSON shows it; a log entry carries its witness for ``log check``."""
    if isinstance(entry, ChainEntry):
        return {"source": "chain", "contract": entry.contract, "event": entry.name, "block": entry.block,
                "log_index": entry.log_index, "tx": entry.tx, "time": entry.time, "args": entry.args}
    return {"source": "log", "index": entry.index, "leaf_hash": entry.leaf, "time": entry.time,
            "action": entry.action, "why": entry.why, "event": entry.event,
            "proof": {"status": entry.proof.status, "tree_size": entry.proof.tree_size,
                      "detail": entry.proof.detail or None},
            "witness": entry.proof.witness}


def _parsed(body: str) -> dict[str, Any] | None:
    try:
        doc = orjson.loads(body)  # every event of the log is parsed: orjson, several times json's speed
    except orjson.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict) else None


def _action(event: Mapping[str, Any] | None) -> str | None:
    return None if event is None else str(event.get("action"))


def _hashes(event: Mapping[str, Any] | None, key: str) -> list[str]:
    value = (event or {}).get(key)
    return [h for h in value if isinstance(h, str)] if isinstance(value, list) else []
