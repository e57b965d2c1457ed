"""The off-chain store's schema, one Alembic revision per change (``versions/``): the provenance
log's tables (0001) and the data catalogue's (0002). :func:`open_engine` brings any database —
SQLite by default, PostgreSQL where it grows — to the newest revision before anything reads it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def open_engine(url: str) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return engine


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
