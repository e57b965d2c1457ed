"""Reads pinned to one block. Inside ``pinned(chain)``, every view call a
:class:`~ledger.chain.contract.DeployedContract` on ``chain`` makes reads the state after one block (the
latest when the context opened), and each distinct call (contract, calldata) goes to the node once: a
block's state never changes, so the memo is exact, not a cache that can go stale.

The oracle decides a chunk of applications against one block this way: the bank, the oracle and each
enterprise are looked up once for the chunk, not once per read. The pin is a context variable, so each
thread (and each asyncio task) has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ledger.chain.protocol import Chain


@dataclass
class Pin:
    chain: Chain
    block: int
    memo: dict[tuple[str, bytes], Any] = field(default_factory=dict)
    """Decoded answers, shared by every caller under the pin (callers only read them)."""

    def read(self, address: str, data: bytes, call: Callable[[int], Any]) -> Any:
        """``call(block)``'s answer for (``address``, ``data``), asked once."""
        key = (address, data)
        if key not in self.memo:
            self.memo[key] = call(self.block)
        return self.memo[key]


_PIN: ContextVar[Pin | None] = ContextVar("credtrace_pinned_reads", default=None)


@contextmanager
def pinned(chain: Chain) -> Iterator[int]:
    """View calls on ``chain`` in this context read the latest block as of now (its number is yielded)."""
    token = _PIN.set(Pin(chain, int(chain.web3.eth.block_number)))
    try:
        yield _PIN.get().block  # type: ignore[union-attr]
    finally:
        _PIN.reset(token)


def pin_of(chain: Chain) -> Pin | None:
    """The pin in force for ``chain``, if any."""
    pin = _PIN.get()
    return pin if pin is not None and pin.chain is chain else None
