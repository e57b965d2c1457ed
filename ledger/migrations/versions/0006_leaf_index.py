"""Leaf hashes indexed apart from the log, in bulk, once per anchoring.

A B-tree on ``log_events.leaf_hash`` took random 32-byte keys at every append: at a million events
it cost more than storing them did (SQLite wrote most of the index back to its WAL at each commit).
The lookup by leaf hash moves to a derived table the sequencer fills in sorted runs when it anchors;
``log_leaf_index_size`` says how far it reaches, and a lookup scans only the events beyond.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_log_events_leaf_hash", table_name="log_events")
    op.create_table(
        "log_leaf_index",
        sa.Column("leaf_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    op.create_table("log_leaf_index_size", sa.Column("size", sa.BigInteger, nullable=False))
    op.execute("INSERT INTO log_leaf_index SELECT leaf_hash, idx FROM log_events ORDER BY leaf_hash")
    op.execute("INSERT INTO log_leaf_index_size SELECT coalesce(max(idx) + 1, 0) FROM log_events")


def downgrade() -> None:
    op.drop_table("log_leaf_index_size")
    op.drop_table("log_leaf_index")
    op.create_index("ix_log_events_leaf_hash", "log_events", ["leaf_hash"])
