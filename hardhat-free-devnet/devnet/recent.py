"""The last blocks mined here, their transactions and receipts kept decoded.

A client waiting for its receipts asks for them right after their block is sealed. Read back from
the store, each receipt took two trie walks and two RLP decodes (the transaction's and the
receipt's), about 0.6 ms of the 0.8 ms ``eth_getTransactionReceipt`` cost in process. The miner
already holds both lists when it commits a block, so it keeps them for the last ``RECENT_BLOCKS``
blocks. There are no forks here: a block number, once committed, names the same block for good.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth.abc import BlockAPI, ReceiptAPI, SignedTransactionAPI

RECENT_BLOCKS = 64


class RecentBlocks:
    """Bodies of the last ``size`` committed blocks, by block number. The miner adds; any thread reads."""

    def __init__(self, size: int = RECENT_BLOCKS) -> None:
        self._size = size
        self._bodies: dict[int, tuple[Sequence[SignedTransactionAPI], Sequence[ReceiptAPI]]] = {}

    def add(self, block: BlockAPI, receipts: Sequence[ReceiptAPI]) -> None:
        """Remember a committed block's transactions and receipts; forget the oldest beyond ``size``."""
        self._bodies[int(block.number)] = (block.transactions, tuple(receipts))
        while len(self._bodies) > self._size:
            self._bodies.pop(next(iter(self._bodies)))

    def transaction(self, number: int, index: int) -> SignedTransactionAPI | None:
        body = self._bodies.get(number)
        return body[0][index] if body is not None and index < len(body[0]) else None

    def receipt(self, number: int, index: int) -> ReceiptAPI | None:
        body = self._bodies.get(number)
        return body[1][index] if body is not None and index < len(body[1]) else None
