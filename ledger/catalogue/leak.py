"""Leak tracing (seeds R7, the leak emergency plan): which OUTPUT event a leaked copy came from.

What leaves the platform is stamped by the gate (:meth:`~ledger.catalogue.gate.AccessGate.export`):
the document and each record in it carry ``_fingerprint``, a keyed token (HMAC under the pseudonym
key, per recipient and per record), and the OUTPUT event keeps the SHA-256 of each token in
``outputs`` — never the token itself, so the public log does not let anyone forge one.

An excerpt is any JSON that still holds whole stamped objects: the file, one record copied out of it,
a list of records, or records one per line (JSON Lines). A record's fields copied without its
``_fingerprint``, or with it altered, trace to nothing: such a leak is *untraceable*, and it is said so —
a leak is attributed only to the OUTPUT events its tokens name, never guessed. Each matched object is
also checked against the event's ``assets`` (its RFC 8785 SHA-256): ``intact`` says it left as it is.
Pure: the log's bodies are passed in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import rfc8785

_TOKEN = re.compile(r"tok_[0-9a-f]{16}")


def marker(token: str) -> str:
    """What the OUTPUT event keeps of a fingerprint token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Attribution:
    """One OUTPUT event a leak's fingerprints name."""

    event_index: int
    event: dict[str, Any]
    matched: int
    """Objects of the leak (the document, records) stamped by this export."""
    intact: int
    """Of those, how many hash to what the export recorded (unaltered)."""

    @property
    def recipient(self) -> str:
        return str(self.event["recipient"])


@dataclass(frozen=True)
class Trace:
    attributions: list[Attribution] = field(default_factory=list)
    unknown: int = 0
    """Fingerprint tokens in the leak that no OUTPUT event names (altered, or not ours)."""


def parse(text: str) -> list[Any]:
    """The leaked JSON: one document, or one per non-blank line; ValueError if neither. orjson, not
    json: its nesting limit (1024) fails a hostile file cleanly, where json's C parser can overflow."""
    try:
        return [orjson.loads(text)]
    except orjson.JSONDecodeError:
        return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def stamped(document: Any) -> Iterator[dict[str, Any]]:
    """Every object in ``document`` that carries a well-formed fingerprint token (walked with a stack,
    so a deep file is no recursion)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            token = value.get("_fingerprint")
            if isinstance(token, str) and _TOKEN.fullmatch(token):
                yield value
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def trace(documents: Iterable[Any], log: Iterable[tuple[int, str]]) -> Trace:
    """The OUTPUT events of ``log`` ((index, body) pairs) that the leaked ``documents`` came from."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        for part in stamped(document):
            parts.setdefault(marker(part["_fingerprint"]), []).append(part)
    found, seen = [], set()
    for index, body in log:
        if '"OUTPUT"' not in body:
            continue
        event = json.loads(body)
        named = [m for m in event.get("outputs", ()) if m in parts] if event["action"] == "OUTPUT" else []
        if named:
            mine = [p for m in named for p in parts[m]]
            intact = sum(_digest(p) in event["assets"] for p in mine)
            found.append(Attribution(index, event, len(mine), intact))
            seen.update(named)
    return Trace(found, len(set(parts) - seen))


def attribute(document: Any, log: Iterable[tuple[int, str]]) -> list[Attribution]:
    return trace([document], log).attributions


def _digest(part: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(part)).hexdigest()
