"""Accepted transactions waiting for a block, in arrival order.

The pool only holds transactions that were valid against the chain plus the pool
when they arrived (the node accepts exactly the sender's next nonce), so each
sender's pooled nonces are contiguous. A transaction leaves the pool only *after*
the block that contains it has been committed, which is what makes
``pending nonce = max(chain nonce, highest pooled nonce + 1)`` race-free.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from eth.abc import SignedTransactionAPI
from eth_typing import Address, Hash32


@dataclass(frozen=True)
class PendingTx:
    """A decoded, signature-checked transaction and its recovered sender."""

    tx: SignedTransactionAPI
    sender: Address

    @property
    def hash(self) -> Hash32:
        return self.tx.hash

    @property
    def max_cost(self) -> int:
        """The most this transaction can take from the sender's balance."""
        return int(self.tx.gas * self.tx.max_fee_per_gas + self.tx.value)


class TxPool:
    """Thread-safe FIFO of pending transactions, with a wake-up for the miner."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ready = threading.Condition(self.lock)
        self._queue: dict[Hash32, PendingTx] = {}
        self._by_sender: dict[Address, dict[Hash32, PendingTx]] = {}
        self._reserved: dict[Address, int] = {}

    def __len__(self) -> int:
        with self.lock:
            return len(self._queue)

    def add(self, pending: PendingTx) -> None:
        with self.lock:
            self._queue[pending.hash] = pending
            self._by_sender.setdefault(pending.sender, {})[pending.hash] = pending
            self._reserved[pending.sender] = self._reserved.get(pending.sender, 0) + pending.max_cost
            self._ready.notify_all()

    def get(self, tx_hash: Hash32) -> PendingTx | None:
        with self.lock:
            return self._queue.get(tx_hash)

    def pending(self) -> list[PendingTx]:
        """Every pooled transaction, oldest first."""
        with self.lock:
            return list(self._queue.values())

    def of_sender(self, sender: Address) -> list[PendingTx]:
        with self.lock:
            return list(self._by_sender.get(sender, {}).values())

    def reserved(self, sender: Address) -> int:
        """The most the sender's pooled transactions can take from its balance, kept as they come and go."""
        with self.lock:
            return self._reserved.get(sender, 0)

    def remove(self, tx_hashes: Iterable[Hash32]) -> None:
        with self.lock:
            for tx_hash in tx_hashes:
                pending = self._queue.pop(tx_hash, None)
                if pending is None:
                    continue
                of_sender = self._by_sender[pending.sender]
                del of_sender[tx_hash]
                self._reserved[pending.sender] -= pending.max_cost
                if not of_sender:
                    del self._by_sender[pending.sender], self._reserved[pending.sender]

    def wait(self, timeout: float | None, interrupted: Callable[[], bool] = lambda: False) -> bool:
        """Block until a transaction is pooled, ``interrupted()`` (checked on ``wake``)
        or timeout; True if any transaction is pooled."""
        with self.lock:
            self._ready.wait_for(lambda: bool(self._queue) or interrupted(), timeout)
            return bool(self._queue)

    def wake(self) -> None:
        """Release every ``wait`` (used at shutdown)."""
        with self.lock:
            self._ready.notify_all()
