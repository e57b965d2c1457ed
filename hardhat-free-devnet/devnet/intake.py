"""Transaction intake: what ``eth_sendRawTransaction`` checks before pooling.

In order: decoding and signature, replay protection (chain id), what a transaction
can be refused for alone (a high ``s``, EIP-2; an EIP-7702 transaction creating a
contract or without authorizations; initcode over EIP-3860's limit), admission
(``devnet.admission``), then — under the pool lock, against the latest committed
state plus the sender's pooled transactions — duplicate, nonce, gas and fee, the
calldata's floor gas (EIP-7623), and balance. Last, py-evm's own checks, the very ones the block builder runs
(``devnet.builder.validate``), on the next block's state given the sender's pending
nonce and the balance its pooled transactions leave: what intake accepts, the builder
can apply. Error messages follow geth's wording ("nonce too low", "insufficient
funds for gas * price + value", ...) because client libraries match on them; codes
follow Anvil: -32003 (``TransactionRejected``) for a duplicate, a nonce too low,
insufficient funds, a fee below the base fee or above its cap, and oversized initcode,
-32000 (``InvalidTransaction``) for the rest.

Only the sender's *next* nonce is accepted: this node does not hold nonce gaps.
"""

from __future__ import annotations

from eth.abc import BlockHeaderAPI, SignedTransactionAPI, StateAPI, VirtualMachineAPI
from eth.chains.base import Chain
from eth.constants import CREATE_CONTRACT_ADDRESS, SECPK1_N, ZERO_ADDRESS
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.constants import SET_CODE_TRANSACTION_TYPE
from eth.vm.forks.shanghai.constants import MAX_INITCODE_SIZE
from eth_typing import Address, Hash32
from eth_utils.exceptions import ValidationError

from devnet.admission import Admission
from devnet.builder import floor_data_gas, next_header, validate
from devnet.errors import InvalidTransaction, TransactionRejected
from devnet.execution import CallRequest, Executor
from devnet.txpool import PendingTx, TxPool

BLOB_TX_TYPE = 3


class TxIntake:
    """Validates raw transactions and puts the valid ones in the pool."""

    def __init__(
        self,
        chain: Chain,
        pool: TxPool,
        admission: Admission,
        executor: Executor,
    ) -> None:
        self._chain = chain
        self._pool = pool
        self._admission = admission
        self._executor = executor
        self._answers: tuple[bytes, dict[tuple[Address, bytes], bytes]] = (b"", {})

    def submit(self, raw: bytes) -> Hash32:
        """Validate ``raw``; pool it and return its hash, or raise an ``RpcError``."""
        pending = self.decode(raw)
        self._admission.check(pending.sender, self._call_latest)
        with self._pool.lock:
            if self._pool.get(pending.hash) is not None:
                raise TransactionRejected("already known")  # a mined one is "nonce too low", below
            pooled = self._pool.of_sender(pending.sender)
            head = self._chain.get_canonical_head()
            vm = self._next_vm(head)
            nonce = _next_nonce(vm.state, pending.sender, pooled)
            reserved = sum(other.max_cost for other in pooled)
            _check_nonce(pending, nonce)
            _check_gas_and_fees(pending, head)
            _check_floor_data_gas(vm, pending.tx)
            _check_balance(pending, vm.state, reserved)
            _check_like_the_builder(vm, pending, nonce, reserved)
            self._pool.add(pending)
        return pending.hash

    def pending_nonce(self, sender: Address) -> int:
        """The nonce the sender's next transaction must carry (chain + pool)."""
        with self._pool.lock:
            pooled = self._pool.of_sender(sender)
            state = self._chain.get_vm(self._chain.get_canonical_head()).state
            return _next_nonce(state, sender, pooled)

    def decode(self, raw: bytes) -> PendingTx:
        """Decode, recover the sender and check what the transaction alone can be refused for;
        ``InvalidTransaction`` if refused."""
        head = self._chain.get_canonical_head()
        builder = self._chain.get_vm_class(head).get_transaction_builder()
        try:
            tx = builder.decode(raw)
            tx.check_signature_validity()
            sender = Address(tx.sender)
        except Exception as exc:  # py-evm raises many unrelated types here
            raise InvalidTransaction(f"invalid raw transaction: {exc}") from exc
        chain_id = self._chain.chain_id
        if tx.chain_id is None:
            raise InvalidTransaction("only replay-protected (EIP-155) transactions allowed")
        if tx.chain_id != chain_id:
            raise InvalidTransaction(f"invalid chain id: {tx.chain_id}, this chain is {chain_id}")
        if tx.type_id == BLOB_TX_TYPE:
            raise InvalidTransaction("blob transactions are not supported")
        _check_alone(tx)
        return PendingTx(tx, sender)

    def _next_vm(self, head: BlockHeaderAPI) -> VirtualMachineAPI:
        """A throwaway VM for the block after ``head`` (its state is the head's): the builder's view."""
        return self._chain.get_vm(next_header(self._chain, head, ZERO_ADDRESS, head.timestamp + 1))

    def _call_latest(self, to: Address, data: bytes) -> bytes:
        """A read-only call on the head's state, each distinct one made once a head (a block's state never
        changes): a sender's transactions arriving together are admitted with one ``mayTransact`` run."""
        head = self._chain.get_canonical_head()
        block, answers = self._answers
        if block != head.hash:
            block, answers = self._answers = (head.hash, {})
        if (to, data) not in answers:
            answers[(to, data)] = self._executor.call(CallRequest(sender=Address(b"\0" * 20), to=to, data=data), head)
        return answers[(to, data)]


def _check_alone(tx: SignedTransactionAPI) -> None:
    """What a transaction is refused for by itself, in geth's words (txpool ``ValidateTransaction``)."""
    if not 0 < tx.s <= SECPK1_N // 2:  # EIP-2; py-evm checks it only in the state's validation
        raise InvalidTransaction("invalid sender: invalid transaction v, r, s values")
    if tx.type_id == SET_CODE_TRANSACTION_TYPE:
        _check_set_code(tx)
    if tx.to == CREATE_CONTRACT_ADDRESS and len(tx.data) > MAX_INITCODE_SIZE:
        raise TransactionRejected(  # EIP-3860; py-evm raises it mid-execution, not in validation
            f"max initcode size exceeded: code size {len(tx.data)}, limit {MAX_INITCODE_SIZE}"
        )


def _check_set_code(tx: SignedTransactionAPI) -> None:
    """EIP-7702: a set-code transaction calls an account and carries at least one authorization."""
    if tx.to == CREATE_CONTRACT_ADDRESS:
        raise InvalidTransaction("EIP-7702 transaction cannot be used to create contract")
    if not tx.authorization_list:
        raise InvalidTransaction("EIP-7702 transaction with empty auth list")


def _check_like_the_builder(vm: VirtualMachineAPI, pending: PendingTx, nonce: int, reserved: int) -> None:
    """py-evm's checks as the builder runs them (``devnet.builder.validate``), after this module's
    own: the throwaway state is given the sender's pending nonce and the balance its pooled
    transactions leave, so the sender is seen as it will be when this transaction is applied."""
    state = vm.state
    state.set_nonce(pending.sender, nonce)
    state.set_balance(pending.sender, state.get_balance(pending.sender) - reserved)
    try:
        validate(vm, vm.get_header(), pending.tx)
    except ValidationError as exc:
        raise InvalidTransaction(f"invalid transaction: {exc}") from exc


def _next_nonce(state: StateAPI, sender: Address, pooled: list[PendingTx]) -> int:
    """Pool read first, chain second: see ``devnet.txpool`` for why this is race-free."""
    nonce = int(state.get_nonce(sender))
    if pooled:
        nonce = max(nonce, pooled[-1].tx.nonce + 1)
    return nonce


def _check_nonce(pending: PendingTx, expected: int) -> None:
    nonce = pending.tx.nonce
    if nonce < expected:
        raise TransactionRejected(f"nonce too low: next nonce {expected}, tx nonce {nonce}")
    if nonce > expected:
        raise InvalidTransaction(
            f"nonce too high: next nonce {expected}, tx nonce {nonce} "
            "(this node does not queue transactions with nonce gaps)"
        )


def _check_gas_and_fees(pending: PendingTx, head: BlockHeaderAPI) -> None:
    tx = pending.tx
    if tx.gas < tx.intrinsic_gas:
        raise InvalidTransaction(f"intrinsic gas too low: have {tx.gas}, want {tx.intrinsic_gas}")
    if tx.gas > head.gas_limit:
        raise InvalidTransaction(f"exceeds block gas limit: gas {tx.gas}, limit {head.gas_limit}")
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise TransactionRejected("max priority fee per gas higher than max fee per gas")
    base_fee = calculate_expected_base_fee_per_gas(head)
    if tx.max_fee_per_gas < base_fee:
        raise TransactionRejected(
            f"max fee per gas less than block base fee: maxFeePerGas: "
            f"{tx.max_fee_per_gas}, baseFee: {base_fee}"
        )


def _check_floor_data_gas(vm: VirtualMachineAPI, tx: SignedTransactionAPI) -> None:
    """EIP-7623: the gas limit covers the calldata's floor cost (geth's ``ErrFloorDataGas``)."""
    if tx.gas < (floor := floor_data_gas(vm, tx)):
        raise InvalidTransaction(f"insufficient gas for floor data gas cost: gas {tx.gas}, minimum needed {floor}")


def _check_balance(pending: PendingTx, state: StateAPI, reserved: int) -> None:
    available = int(state.get_balance(pending.sender)) - reserved
    if available < pending.max_cost:
        raise TransactionRejected(
            f"insufficient funds for gas * price + value: balance {max(available, 0)}, "
            f"tx cost {pending.max_cost}"
        )
