"""The catalogue's tables are guarded like the log's: no row of catalogue_batches, catalogue_records,
catalogue_rejections or catalogue_arrivals is deleted, and none is rewritten except as the code does
it — a batch's INGEST event index recorded once, where it was missing; a record replaced by its next
version only once the version it replaces is kept in catalogue_record_versions (where corrections
exist). Triggers are a guard, not a boundary (whoever owns the file can drop them); what makes a
moved or altered record fail is that each is sealed to its row (``ledger.catalogue.vault``).

The conditions are built from the columns the tables have when this runs, so they name every column.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only, guard, guard_rewrites, unguard, unguard_rewrites

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_APPEND_ONLY = ("catalogue_rejections", "catalogue_arrivals")
_KEY = ("department", "subject", "period")
_KEPT = ("NOT EXISTS (SELECT 1 FROM catalogue_record_versions v WHERE v.department = OLD.department AND "
         "v.subject = OLD.subject AND v.period = OLD.period AND v.version = OLD.version AND v.sealed = OLD.sealed)")


def upgrade() -> None:
    for table in _APPEND_ONLY:
        append_only(table)
    guard("catalogue_batches", "delete")
    guard_rewrites("catalogue_batches", _batch_rewrite())
    guard("catalogue_records", "delete")
    guard_rewrites("catalogue_records", _record_rewrite())


def _columns(table: str) -> list[str]:
    return [str(c["name"]) for c in sa.inspect(op.get_bind()).get_columns(table)]


def _changed(columns: list[str]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _batch_rewrite() -> str:
    """Anything but the event index changes, or an event index that was there changes."""
    others = [c for c in _columns("catalogue_batches") if c != "event_index"]
    return f"{_changed(others)} OR OLD.event_index IS NOT NULL"


def _record_rewrite() -> str:
    """Without versions, every update; with them, any but the next version of the same record, the
    one it replaces kept."""
    columns = _columns("catalogue_records")
    if "version" not in columns:
        return _changed(columns)
    return f"{_changed(list(_KEY))} OR NEW.version IS NOT OLD.version + 1 OR {_KEPT}"


def downgrade() -> None:
    for table in ("catalogue_records", "catalogue_batches"):
        unguard_rewrites(table)
        unguard(table, "delete")
    for table in _APPEND_ONLY:
        for verb in ("update", "delete"):
            unguard(table, verb)
