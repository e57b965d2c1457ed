"""The devnet's clock: the wall clock plus an offset that only grows.

``evm_increaseTime`` (the method Hardhat and Anvil serve under that name) moves the chain's time forward:
a simulated pilot runs its months as the chain's own calendar, so every rule that reads
``block.timestamp`` (consent expiry, approval validity, claim windows, a bank's yearly cap) and the
oracle's as-of month see the simulated date. Time never runs backwards: a block's timestamp is still at
least its parent's plus one. The offset is kept in the data directory (``clock-offset``, replaced
atomically), so a restarted node goes on from the time it had reached. Served only when the node is
configured with ``time_travel`` (``--allow-time-travel``): on a shared chain, moving time forward would let
anyone expire the others' consents.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

OFFSET_FILE = "clock-offset"


class Clock:
    def __init__(self, data_dir: Path, base: Callable[[], float] = time.time) -> None:
        self._path = data_dir / OFFSET_FILE
        self._base = base
        self.offset = int(self._path.read_text()) if self._path.exists() else 0

    def now(self) -> float:
        return self._base() + self.offset

    def advance(self, seconds: int) -> int:
        """Move the clock ``seconds`` forward (≥ 0); the whole offset now."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(str(self.offset + seconds))
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, self._path)
        self.offset += seconds
        return self.offset
