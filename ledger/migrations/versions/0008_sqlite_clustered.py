"""On SQLite, the log's tables keyed by their own B-tree: one insertion per row, not two.

``idx BIGINT PRIMARY KEY`` is not SQLite's rowid (only ``INTEGER PRIMARY KEY`` is), so every event was
written twice, to the table by rowid and to the index on ``idx``; ``log_nodes`` the same on
``(level, idx)``. The events become rowid tables keyed by ``idx``; the nodes a WITHOUT ROWID table.
PostgreSQL has no rowid: nothing changes there.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from ledger.migrations.guards import append_only

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = {
    "log_events": "idx INTEGER NOT NULL PRIMARY KEY, leaf_hash BLOB NOT NULL, body TEXT NOT NULL)",
    "log_nodes": "level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx))"
                 " WITHOUT ROWID",
}
_BEFORE = {
    "log_events": "idx BIGINT NOT NULL, leaf_hash BLOB NOT NULL, body TEXT NOT NULL, PRIMARY KEY (idx))",
    "log_nodes": "level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx))",
}


def upgrade() -> None:
    _rebuild(_TABLES)


def downgrade() -> None:
    _rebuild(_BEFORE)


def _rebuild(shapes: dict[str, str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in shapes.items():
        op.execute(f"CREATE TABLE {table}_rebuilt ({columns}")
        op.execute(f"INSERT INTO {table}_rebuilt SELECT * FROM {table}")
        op.execute(f"DROP TABLE {table}")  # its guards with it
        op.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
        append_only(table)
