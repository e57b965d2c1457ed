"""Polling filters (``eth_newFilter``, ``eth_newBlockFilter``, ``eth_newPendingTransactionFilter``,
``eth_getFilterChanges``...), as ethers, viem and web3.py use them to watch over HTTP.

Filters live in memory: they are lost on restart and expire after five minutes without a poll,
as in geth. An unknown id is -32000 "filter not found" (geth's code and words: viem re-creates a
filter only on that code, so its watchers survive a restart).

``eth_getFilterChanges`` returns what happened since the previous poll:

* block filter: the hashes of the blocks sealed since;
* log filter: the matching logs of the blocks sealed since, up to ``toBlock``. A filter made with
  a ``fromBlock`` backfills on its first poll from there ("latest": the head when it was made) as
  Anvil does; without one it starts after the head. Unlike Anvil, a ``fromBlock`` beyond the head
  is accepted (as in geth) and simply waits for that block;
* pending-transaction filter: the hashes of transactions accepted into the pool since. It reads
  the pool and the blocks sealed since the last poll, and remembers only the pooled hashes it has
  reported (one set per pool state, shared by the filters that saw it), so a transaction mined
  before a poll could see it pooled is still reported, once (Anvil reports automined ones too).

``eth_getFilterLogs`` returns everything a log filter matches, its range read at the call.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_typing import Hash32

from devnet import formatting, params
from devnet.errors import FilterNotFound, InvalidParams
from devnet.formatting import Json
from devnet.logindex import LogFilter
from devnet.methods.blocks import log_objects
from devnet.methods.resolve import required_header
from devnet.node import Node

FILTER_TIMEOUT_SECONDS = 300.0


@dataclass
class _Filter:
    cursor: int  # first block not yet reported
    last_poll: float
    polling: threading.Lock = field(default_factory=threading.Lock, kw_only=True)  # one poll at a time


@dataclass
class _BlockFilter(_Filter):
    pass


@dataclass
class _LogsFilter(_Filter):
    shape: LogFilter
    start: params.BlockRef
    end: params.BlockRef


@dataclass
class _PendingTxFilter(_Filter):
    seen: frozenset[Hash32]  # pooled hashes already reported


class FilterMethods:
    """Log, block and pending-transaction filters kept for polling clients."""

    def __init__(self, node: Node, clock: Callable[[], float] = time.monotonic) -> None:
        self._node = node
        self._clock = clock
        self._filters: dict[str, _Filter] = {}
        self._lock = threading.Lock()
        self._pool_seen: tuple[list[Hash32], frozenset[Hash32]] = ([], frozenset())

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": self.new_block_filter,
            "eth_newPendingTransactionFilter": self.new_pending_transaction_filter,
            "eth_getFilterChanges": self.changes,
            "eth_getFilterLogs": self.all_logs,
            "eth_uninstallFilter": self.uninstall,
        }

    def new_filter(self, log_filter: Any) -> str:
        start, end, block_hash, shape = params.log_filter_parts(log_filter)
        if block_hash is not None:
            raise InvalidParams("blockHash is not supported in filters")
        head = self._head()
        cursor = head + 1 if log_filter.get("fromBlock") is None else _start(start, head)
        return self._install(_LogsFilter(cursor, self._clock(), shape, start, end))

    def new_block_filter(self) -> str:
        return self._install(_BlockFilter(self._head() + 1, self._clock()))

    def new_pending_transaction_filter(self) -> str:
        cursor = self._head() + 1  # read before the pool: see _accepted
        return self._install(_PendingTxFilter(cursor, self._clock(), self._as_seen(self._pooled())))

    def changes(self, filter_id: Any) -> list[Json] | list[str]:
        found = self._take(filter_id)
        with found.polling:  # two polls at once would both report the same changes
            return self._changes(found)

    def _changes(self, found: _Filter) -> list[Json] | list[str]:
        head = self._head()
        result: list[Json] | list[str]
        if isinstance(found, _LogsFilter):
            result = self._logs(found.shape, found.cursor, min(head, _end(found.end, head)))
        elif isinstance(found, _PendingTxFilter):
            result = self._accepted(found, head)
        else:
            result = [self._block_hash(number) for number in range(found.cursor, head + 1)]
        found.cursor = max(found.cursor, head + 1)  # only once the answer is made
        return result

    def all_logs(self, filter_id: Any) -> list[Json]:
        found = self._take(filter_id)
        if not isinstance(found, _LogsFilter):
            raise FilterNotFound()  # geth and Anvil: only log filters have logs
        head = self._head()
        return self._logs(found.shape, _start(found.start, head), min(head, _end(found.end, head)))

    def uninstall(self, filter_id: Any) -> bool:
        with self._lock:
            return self._filters.pop(str(filter_id), None) is not None

    def _install(self, new: _Filter) -> str:
        filter_id = hex(secrets.randbits(127) | 1 << 127)  # a QUANTITY: 32 hex digits, the first never 0
        with self._lock:
            self._expire()
            self._filters[filter_id] = new
        return filter_id

    def _take(self, filter_id: Any) -> _Filter:
        with self._lock:
            self._expire()
            found = self._filters.get(str(filter_id))
            if found is None:
                raise FilterNotFound()
            found.last_poll = self._clock()
            return found

    def _expire(self) -> None:
        cutoff = self._clock() - FILTER_TIMEOUT_SECONDS
        for filter_id in [key for key, value in self._filters.items() if value.last_poll < cutoff]:
            del self._filters[filter_id]

    def _logs(self, shape: LogFilter, first: int, last: int) -> list[Json]:
        if first > last:
            return []
        ranged = dataclasses.replace(shape, from_block=first, to_block=last)
        return log_objects(self._node, self._node.logs.query(ranged))

    def _accepted(self, found: _PendingTxFilter, head: int) -> list[str]:
        """Hashes mined in ``found.cursor..head`` or pooled now, not reported yet. The head is read
        before the pool, so a transaction mined in between is in neither and comes next poll."""
        blocks = range(found.cursor, head + 1)
        mined = [record.hash for number in blocks for record in self._node.txs.of_block(number)]
        pooled = self._pooled()
        fresh = [tx_hash for tx_hash in dict.fromkeys(mined + pooled) if tx_hash not in found.seen]
        found.seen = self._as_seen(pooled)
        return [formatting.data(tx_hash) for tx_hash in fresh]

    def _as_seen(self, pooled: list[Hash32]) -> frozenset[Hash32]:
        """One set per pool state, shared by every filter that saw that state: a thousand filters
        made on one pool of a thousand transactions hold one set, not a thousand."""
        with self._lock:
            if self._pool_seen[0] != pooled:
                self._pool_seen = (pooled, frozenset(pooled))
            return self._pool_seen[1]

    def _pooled(self) -> list[Hash32]:
        return [pending.hash for pending in self._node.pool.pending()]

    def _head(self) -> int:
        return int(self._node.head().block_number)

    def _block_hash(self, number: int) -> str:
        return formatting.data(required_header(self._node, params.BlockRef(number=number)).hash)


def _start(ref: params.BlockRef, head: int) -> int:
    """Lower bound a filter's ``fromBlock`` sets; tags like "latest" name the head."""
    if ref.number is not None:
        return ref.number
    return 0 if ref.tag == "earliest" else head


def _end(ref: params.BlockRef, head: int) -> int:
    if ref.number is not None:
        return ref.number
    return 0 if ref.tag == "earliest" else head
