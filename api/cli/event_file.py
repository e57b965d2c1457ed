"""A JSON Lines file of provenance events, read once in bounded memory for ``log append``.

The file is validated block by block in worker processes (one per core) while the caller appends
the good events, in order, chunk by chunk, inside one transaction: validating and storing overlap,
and nothing is appended unless every line is good (a bad line rolls the whole file back, after every
bad line has been named). The SHA-256 of the file's bytes, read first, is the batch's idempotency key.
"""

from __future__ import annotations

import collections
import hashlib
import io
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
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

Chunk = tuple[list[bytes], list[bytes]]
"""Events' canonical bytes and their leaf hashes."""


@dataclass
class EventFile:
    path: Path
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Validating processes; with fewer than two the lines are validated here."""
    errors: list[str] = field(default_factory=list)
    """What is wrong with each bad line, by line number, once :meth:`chunks` has read them all."""

    def key(self) -> str:
        """The SHA-256 of the file's bytes: the batch's idempotency key, unless the caller gives one."""
        with self._open() as source:
            return hashlib.file_digest(source, "sha256").hexdigest()

    def size(self) -> int:
        return self.path.stat().st_size

    def chunks(self, size: int | None = None, progress: Callable[[int], None] | None = None) -> Iterator[Chunk]:
        """The good events, ``size`` at a time, in file order, with ``progress(bytes read)`` per block.
        After the first bad line nothing more is yielded, but the file is read to its end, so that
        :meth:`refuse_if_bad` names every bad line."""
        size, bodies, leaves = size or CHUNK, list[bytes](), list[bytes]()
        with self._open() as source:
            for canonical, hashes, errors, length in _checked(_blocks(source), self.workers):
                self.errors.extend(errors)
                if progress:
                    progress(length)
                if self.errors:
                    continue
                if canonical:
                    bodies += canonical.split(b"\n")
                    leaves += [hashes[k : k + 32] for k in range(0, len(hashes), 32)]
                while len(bodies) >= size:
                    yield bodies[:size], leaves[:size]
                    bodies, leaves = bodies[size:], leaves[size:]
        if bodies and not self.errors:
            yield bodies, leaves

    def refuse_if_bad(self) -> None:
        if self.errors:
            more = f"\n  … and {len(self.errors) - SHOWN} more" if len(self.errors) > SHOWN else ""
            raise ApiError(f"{self.path}: {len(self.errors)} malformed line(s); nothing was appended\n  "
                           + "\n  ".join(self.errors[:SHOWN]) + more)

    def _open(self) -> io.BufferedReader:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise ApiError(f"cannot read {self.path}: {exc}") from exc


Block = tuple[int, bytes]
"""The first line's number and whole lines of the file."""
Checked = tuple[bytes, bytes, list[str], int]
"""A block's good events' canonical bytes (joined by newlines), their leaf hashes (joined), what is wrong
with the bad lines, and the block's length."""


def _blocks(source: BinaryIO) -> Iterator[Block]:
    """The file about BLOCK bytes at a time, cut after a newline."""
    first, rest = 1, b""
    while data := source.read(BLOCK):
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
    try:
        yield from _pooled(first, second, blocks, workers)
    except BrokenProcessPool as exc:  # seen by result() or, once the pool knows, by the next submit()
        raise ApiError("a validating process died; nothing was appended: run the command again") from exc


def _pooled(first: Block, second: Block, blocks: Iterator[Block], workers: int) -> Iterator[Checked]:
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = collections.deque(pool.submit(_check, b) for b in (first, second))
        for block in blocks:
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
            pending.append(pool.submit(_check, block))
        while pending:
            yield pending.popleft().result()


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
    return b"\n".join(good), b"".join(map(leaf_hash, good)), bad, len(text)  # two objects pickle faster than thousands


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
