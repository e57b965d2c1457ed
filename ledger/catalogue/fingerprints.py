"""The catalogue keys' fingerprints, stored beside the data (Alembic revision 0009), so a database is
never read or written with a key other than the one it was written with.

A fingerprint is the first 16 hex digits of SHA-256("credtrace/key-fingerprint/v1" 0x00 name 0x00 key):
domain-separated, so it is no digest the key itself is used for (HMAC-SHA256 in the pseudonymiser,
SecretBox in the vault), and it names the file, so swapping the two keys is seen too. The key is never
stored. The first open of a database records the fingerprints of the keys it opens with; every later
open compares and refuses a different key with :class:`~ledger.catalogue.errors.WrongKey`, before
anything is read or written. The rows are append-only (a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.catalogue.errors import WrongKey

_DOMAIN = b"credtrace/key-fingerprint/v1\x00"
_meta = sa.MetaData()
fingerprints = sa.Table(
    "key_fingerprints", _meta,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(16)),
)


def fingerprint(name: str, key: bytes) -> str:
    """16 hex digits that identify ``key`` in file ``name`` without revealing it."""
    return hashlib.sha256(_DOMAIN + name.encode() + b"\x00" + key).hexdigest()[:16]


def check_keys(engine: Engine, folder: Path, keys: Mapping[str, bytes]) -> None:
    """Refuse any key (file name → key, from ``folder``) that is not the one this database was
    written with; record the fingerprints of the keys it has not seen yet. All or nothing."""
    with engine.begin() as conn:
        expected = recorded(conn)
        for name, key in keys.items():
            _compare(folder / name, fingerprint(name, key), expected.get(name))
        new = [{"name": n, "fingerprint": fingerprint(n, k)} for n, k in keys.items() if n not in expected]
        if new:
            conn.execute(fingerprints.insert(), new)


def recorded(conn: Connection) -> dict[str, str]:
    return {name: value for name, value in conn.execute(sa.select(fingerprints.c.name, fingerprints.c.fingerprint))}


def _compare(path: Path, actual: str, expected: str | None) -> None:
    if expected is not None and actual != expected:
        raise WrongKey(f"{path} is not the key this database was written with (fingerprint {actual}, expected "
                       f"{expected}): restore the right key with `credtrace keys restore ARCHIVE`")
