"""Two lanes for read-only execution, so that whoever reaches the port cannot starve the node.

A call (``eth_call``, ``eth_estimateGas``) runs first in the *light* lane with at most
``LIGHT_GAS``: every view function credtrace reads, and most any client reads, fits, and
light calls run at once, side by side. A call that runs out of gas there is run again in the
*heavy* lane with its full allowance: one at a time, each waiting at most
``HEAVY_WAIT_SECONDS`` for its turn. Eight callers looping near the block gas limit so take
one thread's share of the interpreter, not eight; mining, intake and light calls keep the rest
(before: ``participants list`` took 62 s instead of 3.6 s beside eight such loops).

geth bounds calls by a gas cap and a 5 s timeout (``--rpc.gascap``, ``--rpc.evmtimeout``);
py-evm has no timeout hook, so the bound here is on how many heavy calls run at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from devnet.errors import LimitExceeded, OutOfGasAtAllowance

LIGHT_GAS = 1_000_000
"""The light lane's allowance: 30 times a typical view call, a thirtieth of a block."""

HEAVY_SLOTS = 1
HEAVY_WAIT_SECONDS = 30.0

T = TypeVar("T")


class CallLanes:
    """Runs ``execute(gas)`` light first, then heavy if the light allowance ran out."""

    def __init__(self, heavy_slots: int = HEAVY_SLOTS, wait_seconds: float = HEAVY_WAIT_SECONDS) -> None:
        self._heavy = threading.BoundedSemaphore(heavy_slots)
        self._wait = wait_seconds

    def run(self, execute: Callable[[int], T], allowance: int) -> T:
        if allowance > LIGHT_GAS:
            try:
                return execute(LIGHT_GAS)
            except OutOfGasAtAllowance:
                pass
        return self._heavy_run(execute, allowance)

    def _heavy_run(self, execute: Callable[[int], T], allowance: int) -> T:
        return self.one_at_a_time(lambda: execute(allowance))

    def one_at_a_time(self, execute: Callable[[], T]) -> T:
        """``execute()`` in the heavy lane: after the heavy work queued before it, within the wait."""
        if not self._heavy.acquire(timeout=self._wait):
            raise LimitExceeded(f"busy: heavy calls (over {LIGHT_GAS:,} gas) queued for more than {self._wait:g} s")
        try:
            return execute()
        finally:
            self._heavy.release()
