"""The oracle's tables (issue 15), in the platform's one database: its cursor over ``Applied`` events,
the shared case of each application (what every oracle's record cites, so a quorum agrees), the
feature vectors it scored (content-addressed: RFC 8785 bytes under their SHA-256) and the signed
decision records, one per application and oracle. Records, vectors and cases are append-only.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oracle_cursors",
        sa.Column("oracle", sa.String(42), primary_key=True),
        sa.Column("block_number", sa.BigInteger, nullable=False),
        sa.Column("log_index", sa.Integer, nullable=False),
    )
    op.create_table(
        "oracle_cases",
        sa.Column("application_id", sa.BigInteger, primary_key=True),
        sa.Column("access_events", sa.Text, nullable=False),  # JSON list of log indexes
        sa.Column("tree_size", sa.BigInteger, nullable=True),
        sa.Column("root_hash", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.String(40), nullable=False),
        sa.Column("opened_by", sa.String(42), nullable=False),
    )
    append_only("oracle_cases")
    op.create_table(
        "feature_vectors",
        sa.Column("vector_hash", sa.String(64), primary_key=True),
        sa.Column("canonical", sa.LargeBinary, nullable=False),
    )
    append_only("feature_vectors")
    op.create_table(
        "decision_records",
        sa.Column("application_id", sa.BigInteger, primary_key=True),
        sa.Column("oracle", sa.String(42), primary_key=True),
        sa.Column("record", sa.LargeBinary, nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False, index=True),
        sa.Column("access_events", sa.Text, nullable=False),  # JSON: this oracle's own gate events
        sa.Column("created", sa.String(40), nullable=False),
    )
    append_only("decision_records")


def downgrade() -> None:
    for table in ("decision_records", "feature_vectors", "oracle_cases", "oracle_cursors"):
        op.drop_table(table)
