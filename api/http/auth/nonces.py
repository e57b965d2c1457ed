"""Nonces seen within the signature window, in the platform's database: a nonce is accepted once.
Rows older than the window are pruned as new ones arrive (a replay of them fails on ``created``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

NONCES = sa.Table(
    "http_nonces", sa.MetaData(),
    sa.Column("nonce", sa.String(128), primary_key=True),
    sa.Column("keyid", sa.String(42), nullable=False),
    sa.Column("created", sa.BigInteger, nullable=False, index=True),
)


class NonceStore:
    def __init__(self, engine: Engine, window_s: int) -> None:
        self._engine, self._window = engine, window_s

    def first_use(self, nonce: str, keyid: str, created: int) -> bool:
        """True the first time ``nonce`` is offered; False for a replay."""
        try:
            with self._engine.begin() as conn:
                conn.execute(NONCES.delete().where(NONCES.c.created < created - 2 * self._window))
                conn.execute(NONCES.insert().values(nonce=nonce, keyid=keyid, created=created))
        except IntegrityError:
            return False
        return True
