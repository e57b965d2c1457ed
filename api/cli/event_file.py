"""A JSON Lines file of provenance events, read once in bounded memory for ``log append``.

One streaming pass validates every line and writes its RFC 8785 bytes to a spool (a temporary
file, removed afterwards), hashing the file's bytes on the way: that hash is the batch's
idempotency key. Nothing is appended unless every line is good; then the spool is appended in
chunks, each with its own key (``<key>#<chunk>``), so memory stays at one chunk whatever the file's
size, and a retry after a crash skips the chunks already stored.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from api import ApiError
from ledger.errors import EventError
from ledger.provenance.event import canonical_json
from ledger.provenance.merkle import leaf_hash

CHUNK = 20_000
"""Events per append (and per sealed checkpoint)."""
BLOCK = 1 << 20
"""Bytes of the file validated at a time (by one process): some 4,000 events."""
SHOWN = 20
"""Bad lines named in the error; the rest are counted."""


@dataclass(frozen=True)
class Spool:
    path: Path
    """The events' canonical bytes, a line each; their leaf hashes, 32 bytes each, beside it (``.leaves``)."""
    key: str
    """The SHA-256 of the file's bytes: the batch's idempotency key, unless the caller gives one."""
    count: int

    def chunks(self, size: int = CHUNK) -> Iterator[tuple[list[bytes], list[bytes]]]:
        """The events' canonical bytes and their leaf hashes, ``size`` at a time, in file order."""
        with self.path.open("rb") as lines, self.path.with_suffix(".leaves").open("rb") as leaves:
            while chunk := list(itertools.islice(lines, size)):
                packed = leaves.read(32 * len(chunk))
                yield [line[:-1] for line in chunk], [packed[k : k + 32] for k in range(0, len(packed), 32)]


@contextmanager
def spooled(file: Path, workers: int | None = None) -> Iterator[Spool]:
    """The file's events validated into a spool, removed afterwards; ApiError naming bad lines.
    A file of more than a block is validated by ``workers`` processes (default: one per core)."""
    with tempfile.TemporaryDirectory(prefix="credtrace-append-") as folder:
        path = Path(folder) / "events.spool"
        try:
            with file.open("rb") as source, path.open("wb") as out, path.with_suffix(".leaves").open("wb") as leaves:
                key, count = _write(file, source, (out, leaves), workers or os.cpu_count() or 1)
        except OSError as exc:
            raise ApiError(f"cannot read {file}: {exc}") from exc
        yield Spool(path, key, count)


def _write(file: Path, source: BinaryIO, out: tuple[BinaryIO, BinaryIO], workers: int) -> tuple[str, int]:
    digest, bad, count = hashlib.sha256(), list[str](), 0
    for canonical, leaves, n, errors in _checked(_blocks(source, digest), workers):
        out[0].write(canonical)
        out[1].write(leaves)
        count += n
        bad.extend(errors)
    if bad:
        more = f"\n  … and {len(bad) - SHOWN} more" if len(bad) > SHOWN else ""
        raise ApiError(f"{file}: {len(bad)} malformed line(s); nothing was appended\n  "
                       + "\n  ".join(bad[:SHOWN]) + more)
    return digest.hexdigest(), count


Block = tuple[int, bytes]
"""The first line's number and whole lines of the file."""
Checked = tuple[bytes, bytes, int, list[str]]
"""A block's events as canonical lines, their leaf hashes, how many, and what is wrong with the bad lines."""


def _blocks(source: BinaryIO, digest: hashlib._Hash) -> Iterator[Block]:
    """The file about BLOCK bytes at a time, cut after a newline, hashing its bytes on the way."""
    first, rest = 1, b""
    while data := source.read(BLOCK):
        digest.update(data)
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest += data
            continue
        block, rest = rest + data[:cut], data[cut:]
        yield first, block
        first += block.count(b"\n")
    if rest:
        yield first, rest


def _checked(blocks: Iterator[Block], workers: int) -> Iterator[Checked]:
    """Each block checked, in order: here, or in a pool of processes when there are several
    blocks and cores; at most two blocks a worker in flight, so memory stays bounded."""
    first = next(blocks, None)
    second = next(blocks, None)
    if first is None or second is None or workers < 2:
        yield from map(_check, itertools.chain([b for b in (first, second) if b], blocks))
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = collections.deque(pool.submit(_check, b) for b in (first, second))
        for block in blocks:
            if len(pending) >= 2 * workers:
                yield _result(pending.popleft())
            pending.append(pool.submit(_check, block))
        while pending:
            yield _result(pending.popleft())


def _result(future: Future[Checked]) -> Checked:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ApiError("a validating process died; nothing was appended: run the command again") from exc


def _check(block: Block) -> Checked:
    first, text = block
    lines = text.split(b"\n")
    if text.endswith(b"\n"):
        lines.pop()
    good, bad = list[bytes](), list[str]()
    for number, raw in enumerate(lines, start=first):
        if not raw.strip():
            continue
        try:
            good.append(canonical_line(raw))
        except ApiError as exc:
            bad.append(f"line {number}: {exc}")
    return b"\n".join([*good, b""]), b"".join(map(leaf_hash, good)), len(good), bad


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
