"""The miner thread: when to seal blocks.

* automine (``block_time=None``): as soon as anything is pending, seal one block with
  *everything* pending. Transactions arriving while a block is being built wait for
  the next one, so a client pipelining many ``eth_sendRawTransaction`` calls gets
  them packed into few blocks.
* interval (``block_time=S``): every S seconds, seal one block with everything
  pending; intervals with nothing pending produce no block (empty blocks are skipped).

On ``stop`` the miner seals what is still pending, so a clean shutdown loses nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from devnet.node import Node

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.5


class Miner:
    """Runs block production for ``node`` in a background thread."""

    def __init__(self, node: Node, block_time: float | None) -> None:
        self._node = node
        self._block_time = block_time
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="devnet-miner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after sealing whatever is pending."""
        self._stopping.set()
        self._node.pool.wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.error("miner did not stop within %.0f s", timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wait()
            self._seal()
        self._seal()

    def _wait(self) -> None:
        if self._block_time is None:
            self._node.pool.wait(_POLL_SECONDS, self._stopping.is_set)
        else:
            self._stopping.wait(self._block_time)

    def _seal(self) -> None:
        # A failure is logged (with the dropped transactions) by the node; keep mining.
        with contextlib.suppress(Exception):
            self._node.mine_pending()
