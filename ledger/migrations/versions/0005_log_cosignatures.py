"""Witnesses' cosignatures of checkpoints (C2SP tlog-cosignature lines), append-only like the log.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("cosigner", sa.String(200), primary_key=True),
        sa.Column("line", sa.Text, nullable=False),
    )
    append_only("log_cosignatures")


def downgrade() -> None:
    op.drop_table("log_cosignatures")
