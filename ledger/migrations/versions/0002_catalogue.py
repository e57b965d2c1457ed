"""The data catalogue: ingested batches, encrypted records, rejected rows.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_batches",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("department", sa.String(40), nullable=False, index=True),
        sa.Column("provider", sa.String(42), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("rows_stored", sa.Integer, nullable=False),
        sa.Column("event_index", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "catalogue_records",
        sa.Column("department", sa.String(40), primary_key=True),
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "catalogue_rejections",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "catalogue_arrivals",
        sa.Column("department", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("first_arrival", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in ("catalogue_arrivals", "catalogue_rejections", "catalogue_records", "catalogue_batches"):
        op.drop_table(table)
