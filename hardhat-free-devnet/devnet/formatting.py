"""JSON-RPC result objects: blocks, transactions, receipts and logs as geth shapes them.

Quantities are minimal 0x-hex, data is 0x-hex, addresses are lower-case 0x-hex.
The block object carries every header field, in names ``devnet.seal`` understands, so
a client can recompute the block hash and recover the sealer from it alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import rlp
from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    LegacyTransactionFieldsAPI,
    ReceiptAPI,
    SignedTransactionAPI,
)

from devnet.logindex import LogEntry
from devnet.txindex import TxRecord

Json = dict[str, Any]

LEGACY_TYPE = 0
ACCESS_LIST_TYPE = 1
SET_CODE_TYPE = 4


def quantity(value: int | None) -> str:
    if value is None:
        raise ValueError("missing quantity")
    return hex(value)


def data(value: bytes | None) -> str:
    if value is None:
        raise ValueError("missing data")
    return "0x" + bytes(value).hex()


def header_fields(header: BlockHeaderAPI) -> Json:
    """Every header field, RPC-named, plus the hash."""
    fields: Json = {
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "sha3Uncles": data(header.uncles_hash),
        "miner": data(header.coinbase),
        "stateRoot": data(header.state_root),
        "transactionsRoot": data(header.transaction_root),
        "receiptsRoot": data(header.receipt_root),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "difficulty": quantity(header.difficulty),
        "number": quantity(header.block_number),
        "gasLimit": quantity(header.gas_limit),
        "gasUsed": quantity(header.gas_used),
        "timestamp": quantity(header.timestamp),
        "extraData": data(header.extra_data),
        "mixHash": data(header.mix_hash),
        "nonce": data(header.nonce),
        "baseFeePerGas": quantity(header.base_fee_per_gas),
        "withdrawalsRoot": data(header.withdrawals_root),
        "blobGasUsed": quantity(header.blob_gas_used),
        "excessBlobGas": quantity(header.excess_blob_gas),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
    }
    requests_hash = getattr(header, "requests_hash", None)
    if requests_hash is not None:
        fields["requestsHash"] = data(requests_hash)
    return fields


def block_object(block: BlockAPI, records: Sequence[TxRecord], full: bool) -> Json:
    """``eth_getBlockBy*``: hashes only, or full transactions when ``full``."""
    result = header_fields(block.header)
    result.update(totalDifficulty="0x0", size=quantity(len(rlp.encode(block))), uncles=[], withdrawals=[])
    if full:
        pairs = zip(block.transactions, records, strict=True)
        result["transactions"] = [transaction(tx, record, block.header) for tx, record in pairs]
    else:
        result["transactions"] = [data(tx.hash) for tx in block.transactions]
    return result


def transaction(
    tx: SignedTransactionAPI,
    record: TxRecord | None,
    header: BlockHeaderAPI | None,
    sender: bytes | None = None,
) -> Json:
    """A transaction object; ``record``/``header`` are None while it is pending."""
    kind = tx.type_id or LEGACY_TYPE
    result: Json = {
        "hash": data(tx.hash),
        "type": quantity(kind),
        "chainId": quantity(tx.chain_id),
        "nonce": quantity(tx.nonce),
        "from": data(record.sender if record else sender or b""),
        "to": data(tx.to) if tx.to else None,
        "value": quantity(tx.value),
        "gas": quantity(tx.gas),
        "input": data(tx.data),
        "r": quantity(tx.r),
        "s": quantity(tx.s),
        "blockHash": data(header.hash) if header else None,
        "blockNumber": quantity(header.block_number) if header else None,
        "transactionIndex": quantity(record.tx_index) if record else None,
    }
    if header is not None:  # execution-apis TransactionInfo (since Feb 2026); geth omits it while pending
        result["blockTimestamp"] = quantity(header.timestamp)
    result.update(_fee_fields(tx, kind, record))
    result.update(_signature_fields(tx, kind))
    if kind == SET_CODE_TYPE:
        result["authorizationList"] = [_authorization(item) for item in tx.authorization_list]
    return result


def _fee_fields(tx: SignedTransactionAPI, kind: int, record: TxRecord | None) -> Json:
    if kind in (LEGACY_TYPE, ACCESS_LIST_TYPE):
        return {"gasPrice": quantity(tx.gas_price)}
    price = record.effective_gas_price if record else tx.max_fee_per_gas
    return {
        "gasPrice": quantity(price),
        "maxFeePerGas": quantity(tx.max_fee_per_gas),
        "maxPriorityFeePerGas": quantity(tx.max_priority_fee_per_gas),
    }


def _signature_fields(tx: SignedTransactionAPI, kind: int) -> Json:
    if kind == LEGACY_TYPE:
        return {"v": quantity(cast(LegacyTransactionFieldsAPI, tx).v)}
    access_list = [
        {"address": data(account), "storageKeys": [data(key.to_bytes(32, "big")) for key in keys]}
        for account, keys in tx.access_list
    ]
    parity = quantity(tx.y_parity)
    return {"v": parity, "yParity": parity, "accessList": access_list}


def _authorization(item: Any) -> Json:
    return {
        "chainId": quantity(item.chain_id),
        "address": data(item.address),
        "nonce": quantity(item.nonce),
        "yParity": quantity(item.y_parity),
        "r": quantity(item.r),
        "s": quantity(item.s),
    }


def receipt(
    tx: SignedTransactionAPI,
    record: TxRecord,
    header: BlockHeaderAPI,
    evm_receipt: ReceiptAPI,
    logs: Sequence[LogEntry],
) -> Json:
    """``eth_getTransactionReceipt`` for a committed transaction."""
    return {
        "transactionHash": data(record.hash),
        "transactionIndex": quantity(record.tx_index),
        "blockHash": data(header.hash),
        "blockNumber": quantity(header.block_number),
        "from": data(record.sender),
        "to": data(tx.to) if tx.to else None,
        "cumulativeGasUsed": quantity(evm_receipt.gas_used),
        "gasUsed": quantity(record.gas_used),
        "effectiveGasPrice": quantity(record.effective_gas_price),
        "contractAddress": data(record.contract_address) if record.contract_address else None,
        "logs": [log(entry, header.timestamp) for entry in logs],
        "logsBloom": data(evm_receipt.bloom.to_bytes(256, "big")),
        "type": quantity(tx.type_id or LEGACY_TYPE),
        "status": "0x1" if evm_receipt.state_root == b"\x01" else "0x0",
    }


def log(entry: LogEntry, timestamp: int) -> Json:
    """A log object; ``timestamp`` is its block's (execution-apis ``Log.blockTimestamp``)."""
    return {
        "address": data(entry.address),
        "topics": [data(topic) for topic in entry.topics],
        "data": data(entry.data),
        "blockNumber": quantity(entry.block_number),
        "blockHash": data(entry.block_hash),
        "blockTimestamp": quantity(timestamp),
        "transactionHash": data(entry.tx_hash),
        "transactionIndex": quantity(entry.tx_index),
        "logIndex": quantity(entry.log_index),
        "removed": False,
    }
