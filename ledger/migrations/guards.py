"""Append-only in the database too: triggers that refuse UPDATE and DELETE on a table, so rows of
the log cannot be changed through SQL without first dropping them. The PostgreSQL trigger function
``credtrace_append_only`` is created by revision 0001."""

from __future__ import annotations

from alembic import op

_SQLITE = "CREATE TRIGGER {t}_{op}_guard BEFORE {OP} ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
_PG = "CREATE TRIGGER {t}_{op}_guard BEFORE {OP} ON {t} FOR EACH ROW EXECUTE FUNCTION credtrace_append_only()"


def append_only(table: str) -> None:
    """Guard ``table`` against UPDATE and DELETE, on SQLite or PostgreSQL."""
    for verb in ("update", "delete"):
        guard(table, verb)


def guard(table: str, verb: str) -> None:
    """Refuse ``verb`` ("update" or "delete") on ``table``."""
    template = _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE
    op.execute(template.format(t=table, op=verb, OP=verb.upper()))


def unguard(table: str, verb: str) -> None:
    """Lift :func:`guard`: for a migration that must rewrite the log's own rows."""
    on = f" ON {table}" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"DROP TRIGGER {table}_{verb}_guard{on}")
