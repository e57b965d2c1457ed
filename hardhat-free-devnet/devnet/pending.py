"""The pending block: a sample of the next block, built on the head from the pool and thrown away.

execution-apis (``BlockNumberOrTag``): "`pending`: A sample next block built by the client on top
of `latest` and containing the set of transactions usually taken from local mempool". As Anvil
does, ``eth_getBlockByNumber("pending")`` answers with it: number head + 1, the pooled transactions
that apply (in pool order, the builder's checks and gas limit), their gas, roots and bloom, the
state root after them.

It is not sealed, so its ``hash`` is the hash of this unsealed sample, which no block the node
serves will ever have; ``miner`` is the validator and ``nonce`` zero, as in the sealed block (the
spec's ``Block`` requires all three and Anvil gives them; geth nulls them); its ``timestamp`` is
the clock's now. Each request re-executes the pool, bounded by the block gas limit like sealing
(about 0.5 s for 100 pooled transfers, 0.9 s for 400).

Nothing is written: the VM's state changes stay in its journal and the tries are computed in
memory (py-evm's ``set_block_transactions_and_withdrawals`` would persist trie nodes, so it is
not used). ``devnet.builder`` makes the real block; the header below is the one it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, VirtualMachineAPI
from eth.chains.base import Chain
from eth.constants import ZERO_HASH32
from eth.db.trie import make_trie_root_and_nodes
from eth.exceptions import VMError
from eth.vm.base import VM
from eth_typing import Address, BlockNumber
from eth_utils.exceptions import ValidationError

from devnet.builder import VANITY
from devnet.txindex import TxRecord, record_of
from devnet.txpool import PendingTx


@dataclass(frozen=True)
class PendingBlock:
    """The sample block and, per transaction, what a receipt would say of it."""

    block: BlockAPI
    records: Sequence[TxRecord]


@dataclass
class _Sample:
    header: BlockHeaderAPI
    applied: list[PendingTx] = field(default_factory=list)
    receipts: list[ReceiptAPI] = field(default_factory=list)
    records: list[TxRecord] = field(default_factory=list)
    skipped: set[Address] = field(default_factory=set)


def pending_block(
    chain: Chain, parent: BlockHeaderAPI, candidates: Sequence[PendingTx], coinbase: Address, now: float
) -> PendingBlock:
    """Apply ``candidates`` on top of ``parent`` in a throw-away VM."""
    vm = cast(VM, chain.get_vm(_next_header(chain, parent, coinbase, now)))
    vm.block_preprocessing(vm.get_block())
    sample = _Sample(vm.get_header())
    for pending in candidates:
        _consider(vm, sample, pending)
    return PendingBlock(_finish(vm, sample), sample.records)


def _next_header(chain: Chain, parent: BlockHeaderAPI, coinbase: Address, now: float) -> BlockHeaderAPI:
    vm_class = chain.get_vm_class_for_block_number(BlockNumber(parent.block_number + 1))
    return vm_class.create_header_from_parent(
        parent,
        coinbase=coinbase,
        timestamp=max(int(now), parent.timestamp + 1),
        gas_limit=parent.gas_limit,
        extra_data=VANITY,
        mix_hash=ZERO_HASH32,
        parent_beacon_block_root=ZERO_HASH32,
    )


def _consider(vm: VirtualMachineAPI, sample: _Sample, pending: PendingTx) -> None:
    """As the builder: a sender's transaction that does not fit or apply holds back its later ones.
    One that cannot apply is skipped alone, so the sample never fails for it."""
    if pending.sender in sample.skipped or sample.header.gas_used + pending.tx.gas > sample.header.gas_limit:
        sample.skipped.add(pending.sender)
        return
    receipt = _apply(vm, sample.header, pending)
    if receipt is None:
        sample.skipped.add(pending.sender)
        return
    previous = sample.header
    sample.header = vm.increment_blob_gas_used(vm.add_receipt_to_header(previous, receipt), pending.tx)
    base_fee = previous.base_fee_per_gas or 0
    index = len(sample.applied)
    sample.records.append(
        record_of(pending.tx, pending.sender, previous.block_number, index, base_fee, previous.gas_used, receipt)
    )
    sample.applied.append(pending)
    sample.receipts.append(receipt)


def _apply(vm: VirtualMachineAPI, header: BlockHeaderAPI, pending: PendingTx) -> ReceiptAPI | None:
    """py-evm's ``VM.apply_transaction``, but rolled back, returning None, when the transaction cannot
    apply (e.g. EIP-3860 initcode over 49,152 bytes raises OutOfGas): py-evm's own call locks the
    state's changes first, so a snapshot taken outside it could not be reverted."""
    state = vm.state
    state.lock_changes()
    snapshot = state.snapshot()
    try:
        vm.validate_transaction_against_header(header, pending.tx)
        state.validate_transaction(pending.tx)
        computation = state.apply_transaction(pending.tx)
    except (ValidationError, VMError):
        state.revert(snapshot)
        return None
    receipt = vm.make_receipt(header, pending.tx, computation, state)
    vm.validate_receipt(receipt)
    return receipt


def _finish(vm: VirtualMachineAPI, sample: _Sample) -> BlockAPI:
    transactions = [pending.tx for pending in sample.applied]
    header = sample.header.copy(
        transaction_root=make_trie_root_and_nodes(transactions)[0],
        receipt_root=make_trie_root_and_nodes(sample.receipts)[0],
        state_root=vm.state.make_state_root(),
    )
    return vm.get_block().copy(header=header, transactions=transactions)
