"""Accepted transactions waiting for a block, in arrival order; and those held for a nonce gap.

Pending transactions were valid against the chain plus the pool when they entered it
(each carried its sender's next nonce), so each sender's pending nonces are contiguous.
A transaction leaves the pool only *after* the block that contains it has been committed,
which is what makes ``pending nonce = max(chain nonce, highest pending nonce + 1)``
race-free.

A transaction whose nonce is ahead of its sender's next one is *held* (geth's "queued"):
outside the pending order, never mined, not counted in the pending nonce. Intake moves it
to pending (``release`` then ``add``), checked again, once the transactions before it are
pending; all under ``lock``, so the pending run stays contiguous. Held transactions are
bounded (``MAX_HELD_AHEAD`` nonces ahead of the sender's next, ``MAX_HELD`` in all) and,
like the whole pool, live in memory only: a restart forgets them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from eth.abc import SignedTransactionAPI
from eth_typing import Address, Hash32

MAX_HELD_AHEAD = 64  # geth's txpool.AccountQueue
MAX_HELD = 1024  # geth's txpool.GlobalQueue


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
    """Thread-safe FIFO of pending transactions, with a wake-up for the miner, and the held ones."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ready = threading.Condition(self.lock)
        self._queue: dict[Hash32, PendingTx] = {}
        self._by_sender: dict[Address, dict[Hash32, PendingTx]] = {}
        self._reserved: dict[Address, int] = {}
        self._held: dict[Hash32, PendingTx] = {}
        self._held_by_sender: dict[Address, dict[int, PendingTx]] = {}

    def __len__(self) -> int:
        """The number of pending transactions (held ones are not counted)."""
        with self.lock:
            return len(self._queue)

    def add(self, pending: PendingTx) -> None:
        with self.lock:
            self._queue[pending.hash] = pending
            self._by_sender.setdefault(pending.sender, {})[pending.hash] = pending
            self._reserved[pending.sender] = self._reserved.get(pending.sender, 0) + pending.max_cost
            self._ready.notify_all()

    def get(self, tx_hash: Hash32) -> PendingTx | None:
        """A pending or held transaction."""
        with self.lock:
            return self._queue.get(tx_hash) or self._held.get(tx_hash)

    def pending(self) -> list[PendingTx]:
        """Every pending transaction, oldest first."""
        with self.lock:
            return list(self._queue.values())

    def last_nonce(self, sender: Address) -> int | None:
        """The highest pending nonce of ``sender``, if any."""
        with self.lock:
            of_sender = self._by_sender.get(sender)
            return next(reversed(of_sender.values())).tx.nonce if of_sender else None

    def reserved(self, sender: Address) -> int:
        """What the sender's pending transactions can take from its balance at most."""
        with self.lock:
            return self._reserved.get(sender, 0)

    def remove(self, tx_hashes: Iterable[Hash32]) -> None:
        with self.lock:
            for tx_hash in tx_hashes:
                pending = self._queue.pop(tx_hash, None)
                if pending is not None:
                    self._forget(pending)

    def _forget(self, pending: PendingTx) -> None:
        of_sender = self._by_sender[pending.sender]
        del of_sender[pending.hash]
        self._reserved[pending.sender] -= pending.max_cost
        if not of_sender:
            del self._by_sender[pending.sender]
            del self._reserved[pending.sender]

    # -- held: nonce gaps --------------------------------------------------------------

    def held(self, sender: Address, nonce: int) -> PendingTx | None:
        with self.lock:
            return self._held_by_sender.get(sender, {}).get(nonce)

    def held_count(self) -> int:
        with self.lock:
            return len(self._held)

    def hold(self, pending: PendingTx) -> None:
        with self.lock:
            self._held[pending.hash] = pending
            self._held_by_sender.setdefault(pending.sender, {})[pending.tx.nonce] = pending

    def release(self, sender: Address, nonce: int) -> PendingTx | None:
        """Take the sender's held transaction with ``nonce`` out of the held ones, if there is one."""
        with self.lock:
            of_sender = self._held_by_sender.get(sender, {})
            pending = of_sender.pop(nonce, None)
            if pending is not None:
                del self._held[pending.hash]
            if not of_sender:
                self._held_by_sender.pop(sender, None)
            return pending

    def drop_held(self, sender: Address) -> list[PendingTx]:
        """Forget every held transaction of ``sender``; return them."""
        with self.lock:
            dropped = list(self._held_by_sender.pop(sender, {}).values())
            for pending in dropped:
                del self._held[pending.hash]
            return dropped

    # -- the miner's wake-up -------------------------------------------------------------

    def wait(self, timeout: float | None, interrupted: Callable[[], bool] = lambda: False) -> bool:
        """Block until a transaction is pending, ``interrupted()`` (checked on ``wake``)
        or timeout; True if any transaction is pending."""
        with self.lock:
            self._ready.wait_for(lambda: bool(self._queue) or interrupted(), timeout)
            return bool(self._queue)

    def wake(self) -> None:
        """Release every ``wait`` (used at shutdown)."""
        with self.lock:
            self._ready.notify_all()
