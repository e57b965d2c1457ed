"""Where each mined transaction is, and the receipt facts py-evm does not store.

py-evm keeps transactions and receipts in per-block tries; it does not keep the
recovered sender, the created contract address, per-transaction gas used or the
effective gas price. ``txs`` rows hold those, written in the block's own store
transaction, so ``eth_getTransactionReceipt`` is answered without recovering
signatures or re-executing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth._utils.address import generate_contract_address
from eth.abc import ReceiptAPI, SignedTransactionAPI
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_typing import Address, Hash32

from devnet.store import Row, SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS txs (
    hash BLOB PRIMARY KEY,
    block_number INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    sender BLOB NOT NULL,
    contract_address BLOB,
    gas_used INTEGER NOT NULL,
    effective_gas_price TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS txs_by_position ON txs (block_number, tx_index);
"""

INSERT_SQL = "INSERT INTO txs VALUES (?, ?, ?, ?, ?, ?, ?)"
_COLUMNS = "hash, block_number, tx_index, sender, contract_address, gas_used, effective_gas_price"
#: The rows of one block in ``tx_index`` order (``devnet.resync`` compares them with re-execution).
BLOCK_SQL = f"SELECT {_COLUMNS} FROM txs WHERE block_number = ? ORDER BY tx_index"
MAX_BLOCK_SQL = "SELECT MAX(block_number) FROM txs"


@dataclass(frozen=True)
class TxRecord:
    """A mined transaction's position and receipt facts."""

    hash: Hash32
    block_number: int
    tx_index: int
    sender: Address
    contract_address: Address | None
    gas_used: int
    effective_gas_price: int

    def row(self) -> Row:
        return (
            self.hash,
            self.block_number,
            self.tx_index,
            self.sender,
            self.contract_address,
            self.gas_used,
            str(self.effective_gas_price),
        )

    @classmethod
    def from_row(cls, row: Row) -> TxRecord:
        contract = Address(bytes(row[4])) if row[4] is not None else None
        return cls(
            Hash32(bytes(row[0])),
            row[1],
            row[2],
            Address(bytes(row[3])),
            contract,
            row[5],
            int(row[6]),
        )


def record_of(
    tx: SignedTransactionAPI, sender: Address, block_number: int, index: int, base_fee: int, gas_before: int,
    receipt: ReceiptAPI,
) -> TxRecord:
    """The row of ``tx``, the ``index``-th of its block, from its receipt (cumulative gas, EIP-658) and
    the block's gas used before it; its price is EIP-1559's effective gas price."""
    contract = None
    if tx.to == CREATE_CONTRACT_ADDRESS:
        contract = Address(generate_contract_address(sender, tx.nonce))
    price = min(tx.max_fee_per_gas, tx.max_priority_fee_per_gas + base_fee)
    return TxRecord(tx.hash, block_number, index, sender, contract, receipt.gas_used - gas_before, price)


class TxIndex:
    """Read side of the ``txs`` table."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def get(self, tx_hash: bytes) -> TxRecord | None:
        rows = self._store.query(f"SELECT {_COLUMNS} FROM txs WHERE hash = ?", (tx_hash,))
        return TxRecord.from_row(rows[0]) if rows else None

    def of_block(self, block_number: int) -> list[TxRecord]:
        return [TxRecord.from_row(row) for row in self._store.query(BLOCK_SQL, (block_number,))]
