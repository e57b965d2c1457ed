"""``evm_increaseTime``: the chain's clock moved forward (:mod:`devnet.clock`), on a node configured to
allow it; elsewhere the method is not served (-32601, as any unknown method)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devnet import params
from devnet.errors import InvalidParams
from devnet.node import Node


class TimeMethods:
    def __init__(self, node: Node) -> None:
        self._node = node

    def table(self) -> dict[str, Callable[..., Any]]:
        return {"evm_increaseTime": self.increase_time} if self._node.config.time_travel else {}

    def increase_time(self, seconds: Any) -> int:
        """Anvil's answer: the clock's whole offset in seconds. Seconds as a number or a quantity."""
        amount = seconds if isinstance(seconds, int) and not isinstance(seconds, bool) else params.quantity(seconds)
        if amount < 0:
            raise InvalidParams("evm_increaseTime takes seconds >= 0: time only moves forward")
        return self._node.clock.advance(amount)
