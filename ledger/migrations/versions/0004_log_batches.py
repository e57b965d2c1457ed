"""Appends are idempotent: each batch's key (a file's content hash, or the caller's key) is stored
with the indices it was given, in the same commit as its events, and append-only like them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE = "CREATE TRIGGER log_batches_{op}_guard BEFORE {OP} ON log_batches " \
          "BEGIN SELECT RAISE(ABORT, 'log_batches is append-only'); END"
_PG = "CREATE TRIGGER log_batches_{op}_guard BEFORE {OP} ON log_batches " \
      "FOR EACH ROW EXECUTE FUNCTION credtrace_append_only()"


def upgrade() -> None:
    op.create_table(
        "log_batches",
        sa.Column("batch_key", sa.String(64), primary_key=True),
        sa.Column("first_index", sa.BigInteger, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    template = _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for verb in ("update", "delete"):
        op.execute(template.format(op=verb, OP=verb.upper()))


def downgrade() -> None:
    op.drop_table("log_batches")
