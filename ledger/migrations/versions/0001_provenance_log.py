"""The provenance log: events (leaves), perfect-subtree nodes, signed checkpoints.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Append-only is enforced by the database too, not only by the code: rows of the log
# cannot be updated or deleted through SQL without first dropping these triggers.
_GUARDED = ("log_events", "log_nodes")
_PG_FN = """CREATE FUNCTION credtrace_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"""


def upgrade() -> None:
    op.create_table(
        "log_events",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False, index=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger, nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("anchor_tx", sa.String(66), nullable=True),
        sa.Column("anchor_block", sa.BigInteger, nullable=True),
    )
    _guard()


def _guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FN)
    for table in _GUARDED:
        append_only(table)


def downgrade() -> None:
    for table in ("log_checkpoints", *_GUARDED):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION credtrace_append_only()")
