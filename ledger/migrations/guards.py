"""Append-only in the database too: triggers that refuse UPDATE and DELETE on a table, so rows of
the log cannot be changed through SQL without first dropping them. The PostgreSQL trigger function
``credtrace_append_only`` is created by revision 0001. :func:`guard_rewrites` allows the one kind of
update a table's code makes (recording a missing event index) and refuses every other."""

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


def guard_rewrites(table: str, rewrite: str) -> None:
    """Refuse an UPDATE of ``table`` when ``rewrite`` holds: an SQL condition on OLD and NEW written
    with ``IS NOT`` (SQLite; PostgreSQL's ``IS DISTINCT FROM`` is put in its place)."""
    message = f"{table} is append-only: only what its code records later may be set"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION credtrace_{table}_rewrite() RETURNS trigger AS $$
BEGIN
  IF {rewrite.replace(" IS NOT ", " IS DISTINCT FROM ")} THEN RAISE EXCEPTION '{message}'; END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql""")
        op.execute(f"CREATE TRIGGER {table}_update_guard BEFORE UPDATE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION credtrace_{table}_rewrite()")
    else:
        op.execute(f"CREATE TRIGGER {table}_update_guard BEFORE UPDATE ON {table} WHEN {rewrite} "
                   f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def unguard_rewrites(table: str) -> None:
    """Lift :func:`guard_rewrites`."""
    unguard(table, "update")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION credtrace_{table}_rewrite()")


def unguard(table: str, verb: str) -> None:
    """Lift :func:`guard`: for a migration that must rewrite the log's own rows."""
    on = f" ON {table}" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"DROP TRIGGER {table}_{verb}_guard{on}")
