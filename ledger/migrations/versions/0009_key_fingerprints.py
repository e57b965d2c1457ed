"""The catalogue keys' fingerprints, kept beside the data they protect (``ledger.catalogue.fingerprints``):
one row per key file, written by the first open and append-only, so a new or swapped key is refused
rather than recorded.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_fingerprints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(16), nullable=False),
    )
    append_only("key_fingerprints")


def downgrade() -> None:
    op.drop_table("key_fingerprints")
