"""Ingestion as issue 12 left it: the platform's arrival stamp beside the department's claimed time,
corrections as new versions (the old one kept, append-only), rejections capped with counts by
reason, and the stored rejection reasons scrubbed of the values they used to repeat.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("catalogue_batches", sa.Column("claimed_at", sa.String(32), nullable=True))
    op.add_column("catalogue_batches", sa.Column("kind", sa.String(10), nullable=False, server_default="ingest"))
    op.add_column("catalogue_records", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "catalogue_record_versions",
        sa.Column("department", sa.String(40), primary_key=True),
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("replaced_by", sa.String(64), nullable=False, index=True),
        sa.Column("replaced_with", sa.String(64), nullable=False),
    )
    append_only("catalogue_record_versions")
    op.create_table(
        "catalogue_rejection_counts",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(200), primary_key=True),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    _scrub_reasons()


def _scrub_reasons() -> None:
    """Keep what a reason said before its first colon ("bad credit code in 'credit_code'"): what came
    after could repeat the rejected value, a credit code whose check character gave the real one away."""
    conn = op.get_bind()
    table = sa.table("catalogue_rejections", sa.column("batch_id"), sa.column("row_number"), sa.column("reason"))
    for batch_id, number, reason in conn.execute(sa.select(table)).all():
        kept = "; ".join(part.split(":", 1)[0].split(" '", 1)[0] if part.startswith("unexpected field")
                         else part.split(":", 1)[0] for part in str(reason).split("; "))
        if kept != reason:
            conn.execute(table.update().where(table.c.batch_id == batch_id, table.c.row_number == number)
                         .values(reason=kept))


def downgrade() -> None:
    op.drop_table("catalogue_rejection_counts")
    op.drop_table("catalogue_record_versions")
    with op.batch_alter_table("catalogue_records") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("catalogue_batches") as batch:
        batch.drop_column("kind")
        batch.drop_column("claimed_at")
