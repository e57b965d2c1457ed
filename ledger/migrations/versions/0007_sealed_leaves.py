"""The leaf hashes a seal fixes, kept as one packed row per seal instead of one node row per leaf;
levels 1 and 2 of the tree no longer stored.

The second copy of each leaf hash (the one an edit of ``log_events`` cannot reach, which ``log verify``
compares every event with) was a million ``log_nodes`` rows at level 0 for a million events, and
levels 1 and 2 another 750,000: seven eighths of the node table, a third of an append's time. The
leaves become ``log_sealed_leaves``: the concatenated 32-byte hashes of the leaves each seal added,
from ``first_index``. A node at level 1 or 2 is the root of 2 or 4 leaves: the store folds it when
read (``store.DERIVED``). Existing level-0 nodes are moved; levels 1 and 2 are dropped.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from ledger.migrations.guards import append_only, guard, unguard
from ledger.provenance import merkle

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
    op.execute("DELETE FROM log_nodes WHERE level <= 2")
    guard("log_nodes", "delete")


def downgrade() -> None:
    conn = op.get_bind()
    packed = b"".join(bytes(h) for (h,) in conn.execute(
        sa.text("SELECT hashes FROM log_sealed_leaves ORDER BY first_index")))
    leaves = [packed[k : k + 32] for k in range(0, len(packed), 32)]
    rows = [{"l": lv, "i": i, "h": h} for lv, i, h in merkle.append_nodes(0, leaves, merkle.MemoryNodes()) if lv <= 2]
    if rows:
        conn.execute(sa.text("INSERT INTO log_nodes VALUES (:l, :i, :h)"), rows)
    op.drop_table("log_sealed_leaves")
