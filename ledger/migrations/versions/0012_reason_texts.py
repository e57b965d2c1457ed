"""The texts behind hashed reasons (``ledger.contracts.reason``): the chain keeps SHA-256 of a
suspension's or sanction's reason, the platform keeps the text here, append-only.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reason_texts",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    append_only("reason_texts")


def downgrade() -> None:
    op.drop_table("reason_texts")
