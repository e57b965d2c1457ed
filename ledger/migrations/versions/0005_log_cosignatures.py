"""Witnesses' cosignatures of checkpoints (C2SP tlog-cosignature lines), append-only like the log.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SQLITE = "CREATE TRIGGER log_cosignatures_{op}_guard BEFORE {OP} ON log_cosignatures " \
          "BEGIN SELECT RAISE(ABORT, 'log_cosignatures is append-only'); END"
_PG = "CREATE TRIGGER log_cosignatures_{op}_guard BEFORE {OP} ON log_cosignatures " \
      "FOR EACH ROW EXECUTE FUNCTION credtrace_append_only()"


def upgrade() -> None:
    op.create_table(
        "log_cosignatures",
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("cosigner", sa.String(200), primary_key=True),
        sa.Column("line", sa.Text, nullable=False),
    )
    template = _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE
    for verb in ("update", "delete"):
        op.execute(template.format(op=verb, OP=verb.upper()))


def downgrade() -> None:
    op.drop_table("log_cosignatures")
