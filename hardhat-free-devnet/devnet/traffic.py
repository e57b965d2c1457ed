"""Requests in service, and the miner giving way to them.

The node is one Python process: its RPC handler threads and the miner share one interpreter
lock, and building a block is CPU-bound Python (py-evm). A request that arrived while a block
was being built waited for the lock, so a client sending one transaction at a time and waiting
for each answer (credtrace's ``TransactionSender`` pipelining) spent about as long waiting for
the node as working. So the miner gives way: before each transaction of a block, and before the
block's state root, it waits while any request is being served. The wait is bounded per block
(``BLOCK_WAIT_SECONDS`` in all), so steady traffic slows a block by a fixed time and never
starves it. Transactions arriving meanwhile join the next block: blocks get larger, and the cost
a block has besides its transactions (state root, Prague's system contracts, seal, commit) is
shared by more of them. Measured by ``scripts/bench/devnet_vs_anvil.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

BLOCK_WAIT_SECONDS = 0.05
"""The most one block waits, in all, for requests being served."""


class Traffic:
    """Counts the requests being served; hands the miner a bounded ``give_way`` per block."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._serving = 0

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Mark one request as being served for the ``with`` block."""
        with self._changed:
            self._serving += 1
        try:
            yield
        finally:
            with self._changed:
                self._serving -= 1
                if not self._serving:
                    self._changed.notify_all()

    def courtesy(self, budget: float = BLOCK_WAIT_SECONDS) -> Callable[[], None]:
        """One block's ``give_way``: each call waits until no request is being served, all calls
        together at most ``budget`` seconds."""
        deadline = time.monotonic() + budget

        def give_way() -> None:
            if self._serving:
                with self._changed:
                    self._changed.wait_for(lambda: not self._serving, max(0.0, deadline - time.monotonic()))

        return give_way
