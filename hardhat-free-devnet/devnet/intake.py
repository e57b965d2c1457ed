"""Transaction intake: what ``eth_sendRawTransaction`` checks before pooling.

In order: decoding and signature, replay protection (chain id), what a transaction
can be refused for alone (a high ``s``, EIP-2; an EIP-7702 transaction creating a
contract or without authorizations; initcode over EIP-3860's limit), admission
(``devnet.admission``), then — under the pool lock, against the latest committed
state plus the sender's pending transactions — duplicate, nonce, gas and fee, the
calldata's floor gas (EIP-7623), and balance. Last, the very checks the block builder
runs (``devnet.builder.validate``: py-evm's own), on the next block's state given the
sender's pending nonce and the balance its pending transactions leave; so a transaction
accepted here fails them at build time only if the chain moved in between (a risen base
fee, an EIP-7702-delegated sender spent by someone else's call), and then it is dropped
alone. Error messages follow geth's wording ("nonce too low", "insufficient funds for
gas * price + value", ...) because client libraries match on them; codes follow Anvil:
-32003 (``TransactionRejected``) for a duplicate, a nonce too low, insufficient funds,
a fee below the base fee or above its cap, oversized initcode, a full pool; -32000
(``InvalidTransaction``) for the rest.

A transaction carrying its sender's *next* nonce is pooled as pending, then any of the
sender's held transactions that now follow on are promoted, each checked as if just sent.
One with a nonce further ahead (a gap, as when a client sends nonces 5, 7, 6) is checked
for what does not depend on the transactions before it, and held (``devnet.txpool``:
bounded, in memory only) until the gap fills; Anvil and geth queue such transactions too.
"""

from __future__ import annotations

import logging

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
from devnet.txpool import MAX_HELD, MAX_HELD_AHEAD, PendingTx, TxPool

logger = logging.getLogger(__name__)

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
        self._next: tuple[Hash32, VirtualMachineAPI] | None = None

    def submit(self, raw: bytes) -> Hash32:
        """Validate ``raw``; pool (or hold) it and return its hash, or raise an ``RpcError``."""
        pending = self.decode(raw)
        self._admission.check(pending.sender, self._call_latest)
        with self._pool.lock:
            if self._pool.get(pending.hash) is not None:
                raise TransactionRejected("already known")  # a mined one is "nonce too low", below
            head = self._chain.get_canonical_head()
            vm = self._next_vm(head)
            nonce = self._pending_nonce(vm.state, pending.sender)
            if pending.tx.nonce > nonce:
                self._hold(vm, head, pending, nonce)
                return pending.hash
            _check_nonce(pending, nonce)
            self._check_in_turn(vm, head, pending, nonce)
            self._pool.add(pending)
            self._promote(vm, head, pending.sender, nonce + 1)
        return pending.hash

    def pending_nonce(self, sender: Address) -> int:
        """The nonce the sender's next transaction must carry (chain + pending; not held ones)."""
        with self._pool.lock:
            return self._pending_nonce(self._chain.get_vm(self._chain.get_canonical_head()).state, sender)

    def _pending_nonce(self, state: StateAPI, sender: Address) -> int:
        """Pool read first, chain second: see ``devnet.txpool`` for why this is race-free."""
        last = self._pool.last_nonce(sender)
        nonce = int(state.get_nonce(sender))
        return nonce if last is None else max(nonce, last + 1)

    def _check_in_turn(self, vm: VirtualMachineAPI, head: BlockHeaderAPI, pending: PendingTx, nonce: int) -> None:
        """The checks of a transaction carrying its sender's next ``nonce``, after its pending ones."""
        reserved = self._pool.reserved(pending.sender)
        _check_gas_and_fees(pending, head)
        _check_floor_data_gas(vm, pending.tx)
        _check_balance(pending, vm.state, reserved)
        _check_like_the_builder(vm, pending, nonce, reserved)

    def _hold(self, vm: VirtualMachineAPI, head: BlockHeaderAPI, pending: PendingTx, expected: int) -> None:
        """A nonce gap: check what does not depend on the transactions before it, then hold it
        (``devnet.txpool``); the rest is checked when the gap fills (``_promote``)."""
        nonce = pending.tx.nonce
        if nonce >= expected + MAX_HELD_AHEAD:
            raise InvalidTransaction(
                f"nonce too high: next nonce {expected}, tx nonce {nonce} "
                f"(this node holds transactions at most {MAX_HELD_AHEAD} nonces ahead)"
            )
        if self._pool.held(pending.sender, nonce) is not None:
            raise TransactionRejected("replacement transaction underpriced: held transactions are not replaced")
        if self._pool.held_count() >= MAX_HELD:
            raise TransactionRejected("txpool is full")
        _check_gas_and_fees(pending, head)
        _check_floor_data_gas(vm, pending.tx)
        self._pool.hold(pending)

    def _promote(self, vm: VirtualMachineAPI, head: BlockHeaderAPI, sender: Address, nonce: int) -> None:
        """Move the sender's held transactions that now follow on into the pending order, each
        checked in turn; the first one refused is dropped with the sender's other held ones."""
        while (held := self._pool.release(sender, nonce)) is not None:
            try:
                self._check_in_turn(vm, head, held, nonce)
            except InvalidTransaction as exc:
                dropped = [held, *self._pool.drop_held(sender)]
                logger.warning("dropping %d held transactions of %s: %s", len(dropped), sender.hex(), exc.message)
                return
            self._pool.add(held)
            nonce += 1

    def decode(self, raw: bytes) -> PendingTx:
        """Decode, recover the sender and check what the transaction alone can be refused for;
        ``InvalidTransaction`` if refused."""
        head = self._chain.get_canonical_head()
        builder = self._chain.get_vm_class(head).get_transaction_builder()
        try:
            tx = builder.decode(raw)
            sender = Address(tx.sender)  # recovering it checks the signature (check_signature_validity did so again)
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
        """A VM for the block after ``head`` (its state is the head's): the builder's view. One per head,
        used under the pool lock; each check runs in a snapshot it reverts, so the state stays the head's."""
        cached = self._next
        if cached is None or cached[0] != head.hash:
            cached = self._next = (head.hash, self._chain.get_vm(next_header(self._chain, head, ZERO_ADDRESS,
                                                                            head.timestamp + 1)))
        return cached[1]

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
    own: the throwaway state is given the sender's pending nonce and the balance its pending
    transactions leave, so the sender is seen as it will be when this transaction is applied."""
    state = vm.state
    snapshot = state.snapshot()
    state.set_nonce(pending.sender, nonce)
    state.set_balance(pending.sender, state.get_balance(pending.sender) - reserved)
    try:
        validate(vm, vm.get_header(), pending.tx)
    except ValidationError as exc:
        raise InvalidTransaction(f"invalid transaction: {exc}") from exc
    finally:
        state.revert(snapshot)  # the next transaction checked on this VM sees the head's state


def _check_nonce(pending: PendingTx, expected: int) -> None:
    """A nonce below the sender's next one was used (mined, or pending here)."""
    nonce = pending.tx.nonce
    if nonce < expected:
        raise TransactionRejected(f"nonce too low: next nonce {expected}, tx nonce {nonce}")


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
