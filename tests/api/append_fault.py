"""Run ``credtrace`` with a fault injected at one stage of ``log append``, for the crash drills.

    python append_fault.py STAGE kill|full credtrace-arguments…

``kill`` sends the process SIGKILL at that point (nothing is flushed, nothing cleaned up); ``full``
raises there the error SQLite gives when the disk is full. Stages, in the order an append meets them:

    parse      reading the file's events
    insert     inside the transaction that stores them, before it commits
    commit     just after that commit, before anything is acknowledged or anchored
    seal       before the nodes and the signed checkpoint are stored
    sign       while the checkpoint is being signed
    anchor     before the anchoring transaction is sent
    anchored   after it is mined, before the store records it
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import sqlalchemy.exc

from api.cli import event_file, log, main
from ledger.contracts import provenance_log
from ledger.provenance import checkpoint, store

TARGETS: dict[str, tuple[Any, str, bool]] = {  # stage: (owner, attribute, fail after the call)
    "parse": (event_file, "canonical_line", False),
    "insert": (store, "_bulk_insert", False),
    "commit": (log, "_append_file", True),
    "seal": (store.LogStore, "seal", False),
    "sign": (checkpoint.Checkpoint, "sign", False),
    "anchor": (provenance_log.ProvenanceLog, "anchor", False),
    "anchored": (provenance_log.ProvenanceLog, "anchor", True),
}


def fault(mode: str) -> None:
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise sqlalchemy.exc.OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))


def injected(original: Callable[..., Any], mode: str, after: bool) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        if not after:
            fault(mode)
        result = original(*args, **kwargs)
        fault(mode)
        return result

    return call


if __name__ == "__main__":
    stage, mode = sys.argv[1:3]
    owner, name, after = TARGETS[stage]
    setattr(owner, name, injected(getattr(owner, name), mode, after))
    sys.argv = ["credtrace", *sys.argv[3:]]
    main()
