"""Polling filters (``eth_newFilter``, ``eth_getFilterChanges``...), as ethers.js uses
them to watch events over HTTP.

Filters live in memory: they are lost on restart and expire after five minutes
without a poll, as in geth. ``eth_getFilterChanges`` returns what was sealed since
the previous poll (or since the filter was created); ``eth_getFilterLogs`` returns
everything the log filter matches.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devnet import formatting, params
from devnet.errors import InvalidParams
from devnet.formatting import Json
from devnet.logindex import LogFilter
from devnet.methods.resolve import required_header
from devnet.node import Node

FILTER_TIMEOUT_SECONDS = 300.0


@dataclass
class _Filter:
    logs: LogFilter | None  # None: a block filter
    start: params.BlockRef
    end: params.BlockRef
    cursor: int  # first block not yet reported
    last_poll: float


class FilterMethods:
    """Log and block filters kept for polling clients."""

    def __init__(self, node: Node, clock: Callable[[], float] = time.monotonic) -> None:
        self._node = node
        self._clock = clock
        self._filters: dict[str, _Filter] = {}
        self._lock = threading.Lock()

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": self.new_block_filter,
            "eth_getFilterChanges": self.changes,
            "eth_getFilterLogs": self.all_logs,
            "eth_uninstallFilter": self.uninstall,
        }

    def new_filter(self, log_filter: Any) -> str:
        start, end, block_hash, shape = params.log_filter_parts(log_filter)
        if block_hash is not None:
            raise InvalidParams("blockHash is not supported in filters")
        return self._install(_Filter(shape, start, end, self._next_block(), self._clock()))

    def new_block_filter(self) -> str:
        latest = params.BlockRef(tag="latest")
        return self._install(_Filter(None, latest, latest, self._next_block(), self._clock()))

    def changes(self, filter_id: Any) -> list[Json] | list[str]:
        found = self._take(filter_id)
        head = self._node.head().block_number
        first, found.cursor = found.cursor, head + 1
        if found.logs is None:
            return [self._block_hash(number) for number in range(first, head + 1)]
        return self._logs(found, max(first, _start(found.start, 0)), min(head, _end(found.end, head)))

    def all_logs(self, filter_id: Any) -> list[Json]:
        found = self._take(filter_id)
        if found.logs is None:
            raise InvalidParams("not a log filter")
        head = self._node.head().block_number
        return self._logs(found, _start(found.start, head), min(head, _end(found.end, head)))

    def uninstall(self, filter_id: Any) -> bool:
        with self._lock:
            return self._filters.pop(str(filter_id), None) is not None

    def _install(self, new: _Filter) -> str:
        filter_id = "0x" + secrets.token_hex(16)
        with self._lock:
            self._expire()
            self._filters[filter_id] = new
        return filter_id

    def _take(self, filter_id: Any) -> _Filter:
        with self._lock:
            self._expire()
            found = self._filters.get(str(filter_id))
            if found is None:
                raise InvalidParams("filter not found")
            found.last_poll = self._clock()
            return found

    def _expire(self) -> None:
        cutoff = self._clock() - FILTER_TIMEOUT_SECONDS
        for filter_id in [key for key, value in self._filters.items() if value.last_poll < cutoff]:
            del self._filters[filter_id]

    def _logs(self, found: _Filter, first: int, last: int) -> list[Json]:
        if found.logs is None or first > last:
            return []
        ranged = dataclasses.replace(found.logs, from_block=first, to_block=last)
        return [formatting.log(entry) for entry in self._node.logs.query(ranged)]

    def _next_block(self) -> int:
        return int(self._node.head().block_number) + 1

    def _block_hash(self, number: int) -> str:
        return formatting.data(required_header(self._node, params.BlockRef(number=number)).hash)


def _start(ref: params.BlockRef, default: int) -> int:
    """Lower bound a filter's ``fromBlock`` sets; tags like "latest" follow the head."""
    if ref.number is not None:
        return ref.number
    return 0 if ref.tag == "earliest" else default


def _end(ref: params.BlockRef, head: int) -> int:
    if ref.number is not None:
        return ref.number
    return 0 if ref.tag == "earliest" else head
