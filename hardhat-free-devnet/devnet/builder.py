"""Block building: apply a batch of pending transactions once, seal, persist.

``MiningChain.apply_transaction`` rebuilds the pending block on every call, which is
quadratic in the block size. Here each candidate is validated and applied exactly
once to one VM state, then the block is finished (state root, transaction and receipt
tries), sealed (``devnet.seal``) and written with ``persist_block``. The caller wraps
``build`` in ``SqliteStore.block_transaction()``, so the whole block commits at once.

Each candidate first passes ``validate``: py-evm's own checks, the ones
``VM.apply_transaction`` runs, plus EIP-7623's calldata floor which py-evm lacks;
``devnet.intake`` runs the same function on arrival, so the two cannot drift. A
candidate that is no longer valid (e.g. its fee is below a risen base fee), or whose
application raises anything at all (py-evm raises ``OutOfGas`` outside the computation
for EIP-3860 initcode, for one), is dropped alone, its state changes reverted, and so
are the sender's later transactions (their nonces no longer follow); the other
candidates are mined. A candidate that does not fit in the remaining block gas is
deferred, with the sender's later ones, to a next block.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, VirtualMachineAPI
from eth.chains.base import Chain
from eth.constants import ZERO_HASH32
from eth.vm.base import VM
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber
from eth_utils.exceptions import ValidationError

from devnet.seal import VANITY_LENGTH, sign_header
from devnet.txindex import TxRecord, record_of
from devnet.txpool import PendingTx

logger = logging.getLogger(__name__)

VANITY = b"credtrace devnet".ljust(VANITY_LENGTH, b"\0")


@dataclass
class BuiltBlock:
    """A sealed, persisted (not yet committed) block and what happened to candidates."""

    block: BlockAPI
    receipts: list[ReceiptAPI] = field(default_factory=list)
    records: list[TxRecord] = field(default_factory=list)
    dropped: list[tuple[PendingTx, str]] = field(default_factory=list)


@dataclass
class _Batch:
    header: BlockHeaderAPI
    included: list[PendingTx] = field(default_factory=list)
    receipts: list[ReceiptAPI] = field(default_factory=list)
    records: list[TxRecord] = field(default_factory=list)
    dropped: list[tuple[PendingTx, str]] = field(default_factory=list)
    dropped_senders: set[Address] = field(default_factory=set)
    deferred_senders: set[Address] = field(default_factory=set)


class BlockBuilder:
    """Builds the next block on top of a parent, sealed by the validator key."""

    def __init__(self, chain: Chain, key: PrivateKey, clock: Callable[[], float]) -> None:
        self._chain = chain
        self._key = key
        self._clock = clock

    def build(
        self, parent: BlockHeaderAPI, candidates: Sequence[PendingTx], give_way: Callable[[], None] = lambda: None
    ) -> BuiltBlock:
        """Apply ``candidates`` in order, finish, seal and persist the block; ``give_way`` is called
        before each candidate and before the state root (``devnet.traffic``)."""
        header = self._next_header(parent)
        vm = cast(VM, self._chain.get_vm(header))
        vm.block_preprocessing(vm.get_block())
        batch = _Batch(header)
        for pending in candidates:
            give_way()
            self._consider(vm, batch, pending)
        give_way()
        transactions = [pending.tx for pending in batch.included]
        filled = vm.set_block_transactions_and_withdrawals(vm.get_block(), batch.header, transactions, batch.receipts)
        finished = vm.mine_block(vm.block_postprocessing(filled)).block
        sealed = finished.copy(header=sign_header(finished.header, self._key))
        self._chain.validate_block(sealed)
        self._chain.chaindb.persist_block(sealed)
        return BuiltBlock(sealed, batch.receipts, batch.records, batch.dropped)

    def _next_header(self, parent: BlockHeaderAPI) -> BlockHeaderAPI:
        timestamp = max(int(self._clock()), parent.timestamp + 1)
        coinbase = Address(self._key.public_key.to_canonical_address())
        return next_header(self._chain, parent, coinbase, timestamp)

    def _consider(self, vm: VirtualMachineAPI, batch: _Batch, pending: PendingTx) -> None:
        sender = pending.sender
        if sender in batch.deferred_senders:
            return
        if sender in batch.dropped_senders:
            batch.dropped.append((pending, "an earlier transaction of the sender was dropped"))
            return
        if batch.header.gas_used + pending.tx.gas > batch.header.gas_limit:
            batch.deferred_senders.add(sender)
            return
        try:
            validate(vm, batch.header, pending.tx)
        except ValidationError as exc:
            _drop(batch, pending, str(exc))
            return
        except Exception:  # not py-evm's refusal but its failure: still this transaction's alone
            logger.exception("transaction %s could not be validated", pending.hash.hex())
            _drop(batch, pending, "could not be validated")
            return
        self._apply(vm, batch, pending)

    def _apply(self, vm: VirtualMachineAPI, batch: _Batch, pending: PendingTx) -> None:
        previous = batch.header
        receipt = _apply_or_revert(vm, previous, pending.tx)
        if receipt is None:
            _drop(batch, pending, "could not be applied")
            return
        batch.header = vm.add_receipt_to_header(previous, receipt)  # no blob gas: intake refuses blob transactions
        batch.records.append(_record(pending, previous, receipt, len(batch.included)))
        batch.included.append(pending)
        batch.receipts.append(receipt)


def next_header(chain: Chain, parent: BlockHeaderAPI, coinbase: Address, timestamp: int) -> BlockHeaderAPI:
    """The unsealed header of the block after ``parent`` (its base fee by EIP-1559)."""
    vm_class = chain.get_vm_class_for_block_number(BlockNumber(parent.block_number + 1))
    return vm_class.create_header_from_parent(
        parent,
        coinbase=coinbase,
        timestamp=timestamp,
        gas_limit=parent.gas_limit,
        extra_data=VANITY,
        mix_hash=ZERO_HASH32,
        parent_beacon_block_root=ZERO_HASH32,
    )


def validate(vm: VirtualMachineAPI, header: BlockHeaderAPI, tx: SignedTransactionAPI) -> None:
    """py-evm's checks of ``tx`` on top of ``header`` in ``vm``, those ``VM.apply_transaction``
    runs: the block's gas left, the transaction's own fields (``tx.validate()``: EIP-7702's
    non-empty authorization list and call target, ...), and against the state the sender's
    nonce, balance, the base fee (EIP-1559) and a low ``s`` (EIP-2); and one py-evm lacks,
    EIP-7623's calldata floor. ``ValidationError`` if not."""
    vm.validate_transaction_against_header(header, tx)
    tx.validate()
    vm.state.validate_transaction(tx)
    if tx.gas < (floor := floor_data_gas(vm, tx)):
        raise ValidationError(f"insufficient gas for floor data gas cost: gas {tx.gas}, minimum needed {floor}")


def floor_data_gas(vm: VirtualMachineAPI, tx: SignedTransactionAPI) -> int:
    """EIP-7623 (Prague): the least gas a transaction's calldata demands. A transaction with a
    lower gas limit is invalid; py-evm charges the floor but never checks it, and would seal a
    block whose gas used exceeds the transaction's limit."""
    executor: Any = vm.state.get_transaction_executor()  # its calc_data_floor_gas (0 before Prague) is not in the API
    return int(executor.calc_data_floor_gas(tx, 0, 0))


def _apply_or_revert(vm: VirtualMachineAPI, header: BlockHeaderAPI, tx: SignedTransactionAPI) -> ReceiptAPI | None:
    """Apply ``tx`` as ``VM.apply_transaction`` does (its header check is in ``validate``); if
    anything raises, undo its state changes and return None. The snapshot is taken after
    ``lock_changes`` (which ends the previous transaction and forgets older checkpoints), so
    it reverts this transaction alone."""
    state = vm.state
    state.lock_changes()
    snapshot = state.snapshot()
    try:
        receipt = vm.make_receipt(header, tx, state.apply_transaction(tx), state)
        vm.validate_receipt(receipt)
        return receipt
    except Exception:  # any failure of one transaction must not cost the others their block
        logger.exception("transaction %s could not be applied; dropping it", tx.hash.hex())
        state.revert(snapshot)
        state.clear_transient_storage()  # EIP-1153: normally cleared when a transaction ends
        return None


def _drop(batch: _Batch, pending: PendingTx, reason: str) -> None:
    logger.warning("dropping transaction %s: %s", pending.hash.hex(), reason)
    batch.dropped.append((pending, reason))
    batch.dropped_senders.add(pending.sender)


def _record(pending: PendingTx, previous: BlockHeaderAPI, receipt: ReceiptAPI, index: int) -> TxRecord:
    base_fee = previous.base_fee_per_gas or 0
    number = previous.block_number
    return record_of(pending.tx, pending.sender, number, index, base_fee, previous.gas_used, receipt)
