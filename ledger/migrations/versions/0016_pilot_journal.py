"""The pilot run's journal (issue 18): the run's parameters, and each month's stages as they finish,
with the blocks and log events each stage spans, so a run resumes after the last finished stage and the
evaluation report can say which month a chain event or log event belongs to.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilot_runs",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("started", sa.String(40), nullable=False),
        sa.Column("finished", sa.String(40), nullable=True),
    )
    op.create_table(
        "pilot_steps",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("stage", sa.String(24), primary_key=True),
        sa.Column("first_block", sa.BigInteger, nullable=False),
        sa.Column("last_block", sa.BigInteger, nullable=False),
        sa.Column("log_from", sa.BigInteger, nullable=False),
        sa.Column("log_to", sa.BigInteger, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("done_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pilot_steps")
    op.drop_table("pilot_runs")
