"""The off-chain store's schema, one Alembic revision per change (``versions/``): the provenance
log's tables (0001) and the data catalogue's (0002). :func:`open_engine` brings any database —
SQLite by default, PostgreSQL where it grows — to the newest revision before anything reads it.
A SQLite database file is the owner's alone (0600) before the first connection: SQLite gives its WAL
and shared-memory files the database file's permissions (``findCreateFileMode``, ``unixOpenSharedMemory``
in its ``os_unix.c``).
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def open_engine(url: str) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        _private(engine.url.database)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return engine


def _private(database: str | None) -> None:
    """Create the database file 0600, or make an existing one (and its WAL) 0600; not an in-memory one."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        for kept in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if kept.exists() and kept.stat().st_mode & 0o077 and kept.stat().st_uid == os.getuid():
                kept.chmod(0o600)  # another user's file (a shared database) is left as its owner set it


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
