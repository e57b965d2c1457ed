"""Step 4: the whole provenance log verified as ``credtrace log verify`` does (:func:`ledger.provenance.verify_log`:
every event re-hashed, every checkpoint recomputed and its signature checked against the key the registry held,
consistency between heads, the roots anchored on chain). It stops at the first problem, which is named."""

from __future__ import annotations

import re
from collections.abc import Callable

from api.replay.report import Report
from api.replay.world import World
from ledger.contracts import ParticipantRegistry, ProvenanceLog
from ledger.errors import VerificationError
from ledger.provenance import RegisteredKeys, verify_log
from ledger.types import Address

STEP = "log"


def check(world: World, deployer: Address, report: Report, progress: Callable[[int], None] | None = None) -> int:
    """Verify the log; the number of events it holds."""
    keys = RegisteredKeys(ParticipantRegistry(world.contracts["ParticipantRegistry"]), deployer)
    try:
        done = verify_log(world.store, ProvenanceLog(world.contracts["ProvenanceLog"]), keys, progress)
    except VerificationError as exc:
        report.found(STEP, _where(str(exc)), str(exc))
        return world.store.size()
    return done.events


def _where(problem: str) -> str:
    """``log event 12`` or ``log checkpoint at size 40`` when the message starts so; else the provenance log."""
    found = re.match(r"(event \d+|checkpoint at size \d+)", problem)
    return f"log {found.group(1)}" if found else "provenance log"
