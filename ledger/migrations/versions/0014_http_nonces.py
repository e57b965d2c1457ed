"""The HTTP API's nonces (issue 17): each RFC 9421 signature nonce is accepted once within the
signature window, across restarts of the server.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "http_nonces",
        sa.Column("nonce", sa.String(128), primary_key=True),
        sa.Column("keyid", sa.String(42), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("http_nonces")
