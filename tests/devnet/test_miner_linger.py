"""Automine lingers only in a stream (devnet.miner): transactions that arrived while a block was built."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from devnet.miner import LINGER_SECONDS, Miner
from devnet.node import Node


class _Pool:
    def __init__(self, left_after_block: int) -> None:
        self.left_after_block = left_after_block

    def __len__(self) -> int:
        return self.left_after_block

    def wait(self, timeout: float | None, interrupted: Any = None) -> bool:
        return True

    def wake(self) -> None:
        pass


class _Node:
    """Seals instantly and counts the seals; the pool says what arrived meanwhile."""

    def __init__(self, left_after_block: int, blocks: int) -> None:
        self.pool, self.sealed_at, self._blocks, self.done = _Pool(left_after_block), [], blocks, threading.Event()

    def mine_pending(self) -> None:
        self.sealed_at.append(time.monotonic())
        if len(self.sealed_at) >= self._blocks:
            self.done.set()


def _gaps(left_after_block: int) -> list[float]:
    node = _Node(left_after_block, blocks=6)
    miner = Miner(cast(Node, node), block_time=None)
    miner.start()
    assert node.done.wait(5)
    miner.stop()
    return [b - a for a, b in zip(node.sealed_at, node.sealed_at[1:4], strict=False)]


def test_a_stream_lingers_before_each_next_block() -> None:
    assert min(_gaps(left_after_block=3)) >= LINGER_SECONDS * 0.9


def test_a_client_waiting_for_each_receipt_never_waits_for_the_linger() -> None:
    assert max(_gaps(left_after_block=0)) < LINGER_SECONDS / 2
