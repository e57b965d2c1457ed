"""Append-only in the database too: triggers that refuse UPDATE and DELETE on a table, so rows of
the log cannot be changed through SQL without first dropping them. The PostgreSQL trigger function
``credtrace_append_only`` is created by revision 0001."""

from __future__ import annotations

from alembic import op

_SQLITE = "CREATE TRIGGER {t}_{op}_guard BEFORE {OP} ON {t} BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
_PG = "CREATE TRIGGER {t}_{op}_guard BEFORE {OP} ON {t} FOR EACH ROW EXECUTE FUNCTION credtrace_append_only()"


def append_only(table: str) -> None:
    """Guard ``table`` against UPDATE and DELETE, on SQLite or PostgreSQL."""
    template = _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for verb in ("update", "delete"):
        op.execute(template.format(t=table, op=verb, OP=verb.upper()))
