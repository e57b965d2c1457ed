"""A JSON Lines file of provenance events, read once in bounded memory for ``log append``.

One streaming pass validates every line and writes its RFC 8785 bytes to a spool (a temporary
file, removed afterwards), hashing the file's bytes on the way: that hash is the batch's
idempotency key. Nothing is appended unless every line is good; then the spool is appended in
chunks, each with its own key (``<key>#<chunk>``), so memory stays at one chunk whatever the file's
size, and a retry after a crash skips the chunks already stored.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from api import ApiError
from ledger.errors import EventError
from ledger.provenance.event import canonical_json

CHUNK = 20_000
"""Events per append (and per sealed checkpoint)."""
SHOWN = 20
"""Bad lines named in the error; the rest are counted."""


@dataclass(frozen=True)
class Spool:
    path: Path
    key: str
    """The SHA-256 of the file's bytes: the batch's idempotency key, unless the caller gives one."""
    count: int

    def chunks(self, size: int = CHUNK) -> Iterator[list[bytes]]:
        """The events' canonical bytes, ``size`` at a time, in file order."""
        with self.path.open("rb") as lines:
            chunk: list[bytes] = []
            for line in lines:
                chunk.append(line[:-1])
                if len(chunk) == size:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk


@contextmanager
def spooled(file: Path) -> Iterator[Spool]:
    """The file's events validated into a spool, removed afterwards; ApiError naming bad lines."""
    with tempfile.TemporaryDirectory(prefix="credtrace-append-") as folder:
        path = Path(folder) / "events.spool"
        try:
            with file.open("rb") as source, path.open("wb") as out:
                key, count = _write(file, source, out)
        except OSError as exc:
            raise ApiError(f"cannot read {file}: {exc}") from exc
        yield Spool(path, key, count)


def _write(file: Path, source: BinaryIO, out: BinaryIO) -> tuple[str, int]:
    digest, bad, count = hashlib.sha256(), list[str](), 0
    for number, raw in enumerate(source, start=1):
        digest.update(raw)
        if not raw.strip():
            continue
        try:
            out.write(canonical_line(raw) + b"\n")
            count += 1
        except ApiError as exc:
            bad.append(f"line {number}: {exc}")
    if bad:
        more = f"\n  … and {len(bad) - SHOWN} more" if len(bad) > SHOWN else ""
        raise ApiError(f"{file}: {len(bad)} malformed line(s); nothing was appended\n  "
                       + "\n  ".join(bad[:SHOWN]) + more)
    return digest.hexdigest(), count


def canonical_line(raw: bytes) -> bytes:
    """One line's event as its canonical bytes; ApiError saying what is wrong with it."""
    try:
        doc = orjson.loads(raw)  # RFC 8259 JSON, as json.loads reads it but for NaN and Infinity
    except orjson.JSONDecodeError as exc:
        raise _not_json(raw, exc) from exc
    try:
        return canonical_json(doc)
    except EventError as exc:
        raise ApiError(str(exc)) from exc


def _not_json(raw: bytes, exc: orjson.JSONDecodeError) -> ApiError:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return ApiError(f"not UTF-8 (byte {bad.start} of the line)")
    return ApiError(f"not JSON: {exc}")
