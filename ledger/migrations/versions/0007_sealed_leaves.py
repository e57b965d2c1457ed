"""The leaf hashes a seal fixes, kept as one packed row per seal instead of one node row per leaf.

The second copy of each leaf hash (the one an edit of ``log_events`` cannot reach, which ``log verify``
compares every event with) was a million ``log_nodes`` rows at level 0 for a million events: half of
the node table and a fifth of an append's time. It becomes ``log_sealed_leaves``: the concatenated
32-byte hashes of the leaves each seal added, from ``first_index``. Existing level-0 nodes are moved.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only, guard, unguard

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ROWS = 20_000  # leaves per packed row when moving existing ones


def upgrade() -> None:
    op.create_table(
        "log_sealed_leaves",
        sa.Column("first_index", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hashes", sa.LargeBinary, nullable=False),
    )
    append_only("log_sealed_leaves")
    conn = op.get_bind()
    leaves = [bytes(h) for (h,) in conn.execute(sa.text("SELECT hash FROM log_nodes WHERE level = 0 ORDER BY idx"))]
    for first in range(0, len(leaves), _ROWS):
        conn.execute(sa.text("INSERT INTO log_sealed_leaves VALUES (:f, :h)"),
                     {"f": first, "h": b"".join(leaves[first : first + _ROWS])})
    unguard("log_nodes", "delete")
    op.execute("DELETE FROM log_nodes WHERE level = 0")
    guard("log_nodes", "delete")


def downgrade() -> None:
    conn = op.get_bind()
    for first, packed in conn.execute(sa.text("SELECT first_index, hashes FROM log_sealed_leaves")).all():
        packed = bytes(packed)
        conn.execute(sa.text("INSERT INTO log_nodes VALUES (0, :i, :h)"),
                     [{"i": first + k, "h": packed[32 * k : 32 * k + 32]} for k in range(len(packed) // 32)])
    op.drop_table("log_sealed_leaves")
