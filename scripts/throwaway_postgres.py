"""A throwaway PostgreSQL server from the machine's binaries, for tests and benchmarks:
initdb in a temporary folder, started on a given port, stopped and deleted afterwards.
initdb refuses to run as root, so as root the server runs as the `postgres` user.
(`make test` installs Debian's postgresql if the binaries are missing.)"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL binaries not found: `make test` installs them (Debian postgresql)")
    return Path(found[-1]).parent


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def run(*args: object) -> None:
    subprocess.run(_as_owner([str(a) for a in args]), check=True, capture_output=True, text=True)


@contextmanager
def throwaway_server(port: int) -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh, empty database server on ``port``."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="credtrace-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(bindir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
