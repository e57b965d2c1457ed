"""Chain history: blocks, transactions, receipts and logs.

Only committed data is served: a receipt exists once its block's store transaction
has committed. Unknown blocks and transactions give ``null``, as in geth. The block
"pending" is the sample next block of ``devnet.pending`` (Anvil: head + 1, the pool's
transactions); it has no receipts. A pooled transaction has the pending shape (its
block fields null, no ``blockTimestamp``), as in geth and Anvil.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from eth.abc import BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber
from rlp.codec import consume_length_prefix

from devnet import formatting, params
from devnet.errors import InvalidParams
from devnet.formatting import Json
from devnet.logindex import LogEntry
from devnet.methods.resolve import header_for, required_header
from devnet.node import Node
from devnet.pending import PendingBlock, pending_block
from devnet.txindex import TxRecord

TIMESTAMP_FIELD = 11  # Yellow Paper §4.3: the timestamp H_s is a header's twelfth field


class BlockMethods:
    """``eth_getBlock*``, ``eth_getTransaction*``, ``eth_getLogs`` and friends."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._coinbase = Address(PrivateKey(node.config.validator_key).public_key.to_canonical_address())

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "eth_blockNumber": self.block_number,
            "eth_getBlockByNumber": self.block_by_number,
            "eth_getBlockByHash": self.block_by_hash,
            "eth_getBlockReceipts": self.block_receipts,
            "eth_getBlockTransactionCountByNumber": self.tx_count_by_number,
            "eth_getBlockTransactionCountByHash": self.tx_count_by_hash,
            "eth_getTransactionByHash": self.transaction_by_hash,
            "eth_getTransactionByBlockNumberAndIndex": self.tx_by_number_and_index,
            "eth_getTransactionByBlockHashAndIndex": self.tx_by_hash_and_index,
            "eth_getTransactionReceipt": self.transaction_receipt,
            "eth_getUncleCountByBlockNumber": lambda block: "0x0",
            "eth_getUncleCountByBlockHash": lambda block_hash: "0x0",
            "eth_getLogs": self.logs,
        }

    def block_number(self) -> str:
        return formatting.quantity(self._node.head().block_number)

    def block_by_number(self, block: Any, full: Any) -> Json | None:
        """``hydrated`` is required (execution-apis; geth and Anvil refuse its absence)."""
        ref, hydrated = params.block_ref(block), params.boolean(full, "hydrated")
        if ref.tag == "pending":
            sample = self._pending()
            return formatting.block_object(sample.block, sample.records, hydrated)
        return self._block_object(header_for(self._node, ref), hydrated)

    def block_by_hash(self, block_hash: Any, full: Any) -> Json | None:
        hydrated = params.boolean(full, "hydrated")
        return self._block_object(self._node.header_by_hash(params.hash32(block_hash)), hydrated)

    def block_receipts(self, block: Any) -> list[Json] | None:
        """Receipts of a sealed block; the pending one has none yet (null, as Anvil)."""
        ref = params.block_ref(block)
        header = None if ref.tag == "pending" else header_for(self._node, ref)
        if header is None:
            return None
        records = self._node.txs.of_block(header.block_number)
        return [self._receipt(record, header) for record in records]

    def tx_count_by_number(self, block: Any) -> str | None:
        ref = params.block_ref(block)
        if ref.tag == "pending":
            return formatting.quantity(len(self._pending().records))
        return self._tx_count(header_for(self._node, ref))

    def tx_count_by_hash(self, block_hash: Any) -> str | None:
        return self._tx_count(self._node.header_by_hash(params.hash32(block_hash)))

    def transaction_by_hash(self, tx_hash: Any) -> Json | None:
        tx_hash = params.hash32(tx_hash)
        record = self._node.txs.get(tx_hash)
        if record is not None:
            header = self._header_of(record)
            return formatting.transaction(self._transaction(record), record, header)
        pending = self._node.pool.get(tx_hash)
        if pending is None:
            return None
        return formatting.transaction(pending.tx, None, None, pending.sender)

    def tx_by_number_and_index(self, block: Any, index: Any) -> Json | None:
        ref, position = params.block_ref(block), params.quantity(index, "index")
        if ref.tag == "pending":
            sample = self._pending()
            if position >= len(sample.records):
                return None
            tx = sample.block.transactions[position]
            return formatting.transaction(tx, sample.records[position], sample.block.header)
        return self._tx_at(header_for(self._node, ref), position)

    def tx_by_hash_and_index(self, block_hash: Any, index: Any) -> Json | None:
        header = self._node.header_by_hash(params.hash32(block_hash))
        return self._tx_at(header, params.quantity(index, "index"))

    def transaction_receipt(self, tx_hash: Any) -> Json | None:
        record = self._node.txs.get(params.hash32(tx_hash))
        if record is None:
            return None
        return self._receipt(record, self._header_of(record))

    def logs(self, log_filter: Any) -> list[Json]:
        """Logs matching the filter; a range reaching past the head stops at the head."""
        start, end, block_hash, shape = params.log_filter_parts(log_filter)
        head = self._node.head().block_number
        if block_hash is not None:
            header = self._node.header_by_hash(block_hash)
            if header is None:
                raise InvalidParams(f"unknown block hash 0x{block_hash.hex()}")
            first = last = int(header.block_number)
        else:
            first, last = self._block_number(start), min(self._block_number(end), head)
        if first > head:
            return []
        if first > last:
            raise InvalidParams(f"fromBlock {first} is after toBlock {last}")
        ranged = dataclasses.replace(shape, from_block=first, to_block=last)
        return log_objects(self._node, self._node.logs.query(ranged))

    # -- helpers -------------------------------------------------------------------

    def _block_object(self, header: BlockHeaderAPI | None, full: bool) -> Json | None:
        if header is None:
            return None
        block = self._node.block(header)
        records = self._node.txs.of_block(header.block_number) if full else []
        return formatting.block_object(block, records, full)

    def _pending(self) -> PendingBlock:
        node = self._node
        return pending_block(node.chain, node.head(), node.pool.pending(), self._coinbase, node.clock.now())

    def _block_number(self, ref: params.BlockRef) -> int:
        if ref.number is not None:
            return ref.number
        return required_header(self._node, ref).block_number

    def _header_of(self, record: TxRecord) -> BlockHeaderAPI:
        return required_header(self._node, params.BlockRef(number=record.block_number))

    def _tx_count(self, header: BlockHeaderAPI | None) -> str | None:
        if header is None:
            return None
        return formatting.quantity(len(self._node.txs.of_block(header.block_number)))

    def _tx_at(self, header: BlockHeaderAPI | None, index: int) -> Json | None:
        if header is None:
            return None
        records = self._node.txs.of_block(header.block_number)
        if index >= len(records):
            return None
        return formatting.transaction(self._transaction(records[index]), records[index], header)

    def _transaction(self, record: TxRecord) -> SignedTransactionAPI:
        if (recent := self._node.recent.transaction(record.block_number, record.tx_index)) is not None:
            return recent
        chain, number = self._node.chain, BlockNumber(record.block_number)
        builder = chain.get_vm_class_for_block_number(number).get_transaction_builder()
        return chain.chaindb.get_transaction_by_index(number, record.tx_index, builder)

    def _evm_receipt(self, record: TxRecord) -> ReceiptAPI:
        if (recent := self._node.recent.receipt(record.block_number, record.tx_index)) is not None:
            return recent
        chain, number = self._node.chain, BlockNumber(record.block_number)
        decoder = chain.get_vm_class_for_block_number(number).get_receipt_builder()
        return chain.chaindb.get_receipt_by_index(number, record.tx_index, decoder)

    def _receipt(self, record: TxRecord, header: BlockHeaderAPI) -> Json:
        logs = self._node.logs.of_transaction(record.block_number, record.tx_index)
        tx = self._transaction(record)
        return formatting.receipt(tx, record, header, self._evm_receipt(record), logs)


def log_objects(node: Node, entries: Sequence[LogEntry]) -> list[Json]:
    """Log objects with their blocks' timestamps, one header read per block."""
    stamps = {block: _timestamp(node, block) for block in {entry.block_hash for entry in entries}}
    return [formatting.log(entry, stamps[entry.block_hash]) for entry in entries]


def _timestamp(node: Node, block_hash: bytes) -> int:
    """A block's timestamp, read from its header's RLP (py-evm keeps it under the block hash) without
    decoding the other fields: a full decode made ``eth_getLogs`` twice as slow with a log per block."""
    raw = node.chain.chaindb.db[block_hash]
    position = consume_length_prefix(raw, 0)[3]  # into the header's list
    for _ in range(TIMESTAMP_FIELD):
        _, _, length, position = consume_length_prefix(raw, position)
        position += length
    _, _, length, position = consume_length_prefix(raw, position)
    return int.from_bytes(raw[position : position + length], "big")
