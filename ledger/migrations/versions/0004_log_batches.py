"""Appends are idempotent: each batch's key (a file's content hash, or the caller's key) is stored
with the indices it was given, in the same commit as its events, and append-only like them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "log_batches",
        sa.Column("batch_key", sa.String(200), primary_key=True),
        sa.Column("first_index", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    append_only("log_batches")


def downgrade() -> None:
    op.drop_table("log_batches")
