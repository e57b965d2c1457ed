"""Content-addressed objects: model artifacts, feature vectors and decision records, by SHA-256.

Replay, and anyone with a copy, fetches each by the hash of its bytes: a model by its id (the SHA-256
of ``model.json``, the id the ModelRegistry holds), a feature vector by the hash its decision record
names, a decision record (the DSSE envelope, RFC 8785 bytes) by the SHA-256 of those bytes. There is
one source of truth and no second copy: the model files under HOME/models/<id16>/ and the oracle's
tables (``feature_vectors`` keyed by hash, ``decision_records``); :func:`every` and :func:`get` read
them and refuse bytes that do not hash to their name (an edited vector, a model file edited in its
folder), so what leaves here is what its name says.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from api import ApiError, NotFound
from oracle.store import records, vectors

_ID16 = re.compile(r"[0-9a-f]{16}")
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Object:
    sha256: str
    kind: str
    """model, vector or record."""
    data: bytes


def every(engine: Engine, models: Path) -> Iterator[Object]:
    """Every stored object, each checked to hash to its name (ApiError naming the first that does not)."""
    for folder, model in _models(models):
        yield _named(folder, model)
    with engine.connect() as conn:
        for key, data in conn.execute(sa.select(vectors.c.vector_hash, vectors.c.canonical)):
            yield _checked(Object(str(key), "vector", bytes(data)))
        for (data,) in conn.execute(sa.select(records.c.record).order_by(records.c.application_id, records.c.oracle)):
            yield Object(hashlib.sha256(bytes(data)).hexdigest(), "record", bytes(data))


def get(engine: Engine, models: Path, sha256: str) -> Object:
    """The object named ``sha256``: a vector by its key, a model by its folder, a record by hashing each;
    an edited object elsewhere does not stop it, the one asked for is checked."""
    with engine.connect() as conn:
        data = conn.scalar(sa.select(vectors.c.canonical).where(vectors.c.vector_hash == sha256))
        if data is not None:
            return _checked(Object(sha256, "vector", bytes(data)))
        found = next((bytes(r) for (r,) in conn.execute(sa.select(records.c.record))
                      if hashlib.sha256(bytes(r)).hexdigest() == sha256), None)
    if found is not None:
        return Object(sha256, "record", found)
    for folder, model in _models(models):
        if model.sha256 == sha256 or sha256.startswith(folder):
            return _named(folder, model)
    raise NotFound(f"no model artifact, feature vector or decision record has SHA-256 {sha256}")


def _models(models: Path) -> Iterator[tuple[str, Object]]:
    """(folder name, model.json) of each folder under HOME/models."""
    for path in sorted(models.glob("*/model.json")):
        data = path.read_bytes()
        yield path.parent.name, Object(hashlib.sha256(data).hexdigest(), "model", data)


def _named(folder: str, model: Object) -> Object:
    """A folder named by a model id (its first 16 hex) must hold that model: one edited in place does not."""
    if _ID16.fullmatch(folder) and not model.sha256.startswith(folder):
        raise ApiError(f"the model in models/{folder}/model.json hashes to {model.sha256}, not the model id its "
                       "folder names: edited?")
    return model


def _checked(found: Object) -> Object:
    if hashlib.sha256(found.data).hexdigest() != found.sha256:
        raise ApiError(f"the stored {found.kind} {found.sha256} does not hash to its key: edited in the database?")
    return found
