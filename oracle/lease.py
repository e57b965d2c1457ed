"""One process per oracle key: an exclusive ``flock`` on a file in the home (``oracle/<key>.lock``).

Two processes acting for the same oracle would both read, both sign and race each other's votes. A
lock the kernel holds fits the failure we must survive: it is released the moment the process dies —
``kill -9`` included — so a restart never waits out a lease's expiry nor trusts a clock, and a paused
process can never find its lease taken while it still acts (the hazard of a row lease with expiry).
Its reach is one host sharing the home, as the embedded devnet and the SQLite store are; a platform on
PostgreSQL across hosts would take a session advisory lock, like the provenance log's ``WriterLock``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from oracle.errors import OracleBusy


class Lease:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            self._fd = None
            raise OracleBusy(f"another oracle process holds {path}: one process per oracle key") from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
