"""The data directory: its layout, and the lock that keeps it to one process.

    DATA_DIR/chain.sqlite      the store (SQLite, WAL mode: also -wal and -shm files)
    DATA_DIR/genesis.json      human-readable copy of the genesis specification
    DATA_DIR/validator.key     validator key, when the CLI generated it (mode 0600)
    DATA_DIR/LOCK              held with flock() while a node has the directory open
    DATA_DIR/rpc.url           the URL it serves on, while it serves (see served_url)

Two nodes on one directory would both extend the same head and fork the chain, so a
node takes an exclusive ``flock`` first. The kernel drops it when the process dies,
even on kill -9, so a crashed node never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from devnet.errors import ConfigError

STORE_FILE = "chain.sqlite"
LOCK_FILE = "LOCK"
URL_FILE = "rpc.url"


def served_url(data_dir: Path) -> str | None:
    """The URL of the node serving ``data_dir`` right now, if one is.

    The URL file alone may be stale (kill -9 leaves it behind); the lock is not, so the
    file counts only while another process holds the lock.
    """
    url_file = data_dir / URL_FILE
    if not url_file.exists() or not (data_dir / LOCK_FILE).exists():
        return None
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return url_file.read_text().strip() or None
    finally:
        os.close(descriptor)  # closing also drops a lock we just took
    return None


class DataDirLock:
    """An exclusive, process-lifetime lock on a data directory."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._descriptor)
            raise ConfigError(f"data directory {data_dir} is in use by another devnet") from None

    def release(self) -> None:
        if self._descriptor >= 0:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = -1
