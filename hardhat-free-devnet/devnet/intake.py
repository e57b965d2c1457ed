"""Transaction intake: what ``eth_sendRawTransaction`` checks before pooling.

In order: decoding and signature, replay protection (chain id), admission
(``devnet.admission``), then — under the pool lock, against the latest committed
state plus the sender's pooled transactions — duplicate, nonce, gas and fee, and
balance. Error messages follow geth's wording ("nonce too low", "insufficient
funds for gas * price + value", ...) because client libraries match on them.

Only the sender's *next* nonce is accepted: this node does not hold nonce gaps.
"""

from __future__ import annotations

from collections.abc import Callable

from eth.abc import BlockHeaderAPI, StateAPI
from eth.chains.base import Chain
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_typing import Address, Hash32

from devnet.admission import Admission
from devnet.errors import InvalidTransaction
from devnet.execution import CallRequest, Executor
from devnet.txindex import TxIndex
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
        txs: TxIndex,
        reading: tuple[Callable[[], BlockHeaderAPI], Callable[[BlockHeaderAPI], StateAPI]],
    ) -> None:
        """``reading``: the node's head and its read-only states (``Node.head``, ``Node.state``)."""
        self._chain = chain
        self._head, self._state = reading
        self._pool = pool
        self._admission = admission
        self._executor = executor
        self._txs = txs
        self._answers: tuple[bytes, dict[tuple[Address, bytes], bytes]] = (b"", {})

    def submit(self, raw: bytes) -> Hash32:
        """Validate ``raw``; pool it and return its hash, or raise an ``RpcError``."""
        pending = self.decode(raw)
        self._admission.check(pending.sender, self._call_latest)
        with self._pool.lock:
            if self._pool.get(pending.hash) is not None or self._txs.get(pending.hash):
                raise InvalidTransaction("already known")
            pooled = self._pool.of_sender(pending.sender)
            head = self._head()
            state = self._state(head)
            _check_nonce(pending, _next_nonce(state, pending.sender, pooled))
            _check_gas_and_fees(pending, head)
            _check_balance(pending, state, self._pool.reserved(pending.sender))
            self._pool.add(pending)
        return pending.hash

    def pending_nonce(self, sender: Address) -> int:
        """The nonce the sender's next transaction must carry (chain + pool)."""
        with self._pool.lock:
            pooled = self._pool.of_sender(sender)
            state = self._state(self._head())
            return _next_nonce(state, sender, pooled)

    def decode(self, raw: bytes) -> PendingTx:
        """Decode and recover the sender; ``InvalidTransaction`` if impossible."""
        builder = self._chain.get_vm_class(self._head()).get_transaction_builder()
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
        return PendingTx(tx, sender)

    def _call_latest(self, to: Address, data: bytes) -> bytes:
        """A read-only call on the head's state, each distinct one made once a head (a block's state never
        changes): a sender's transactions arriving together are admitted with one ``mayTransact`` run."""
        head = self._head()
        block, answers = self._answers
        if block != head.hash:
            block, answers = self._answers = (head.hash, {})
        if (to, data) not in answers:
            answers[(to, data)] = self._executor.call(CallRequest(sender=Address(b"\0" * 20), to=to, data=data), head)
        return answers[(to, data)]


def _next_nonce(state: StateAPI, sender: Address, pooled: list[PendingTx]) -> int:
    """Pool read first, chain second: see ``devnet.txpool`` for why this is race-free."""
    nonce = int(state.get_nonce(sender))
    if pooled:
        nonce = max(nonce, pooled[-1].tx.nonce + 1)
    return nonce


def _check_nonce(pending: PendingTx, expected: int) -> None:
    nonce = pending.tx.nonce
    if nonce < expected:
        raise InvalidTransaction(f"nonce too low: next nonce {expected}, tx nonce {nonce}")
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
        raise InvalidTransaction("max priority fee per gas higher than max fee per gas")
    base_fee = calculate_expected_base_fee_per_gas(head)
    if tx.max_fee_per_gas < base_fee:
        raise InvalidTransaction(
            f"max fee per gas less than block base fee: maxFeePerGas: "
            f"{tx.max_fee_per_gas}, baseFee: {base_fee}"
        )


def _check_balance(pending: PendingTx, state: StateAPI, reserved: int) -> None:
    available = int(state.get_balance(pending.sender)) - reserved
    if available < pending.max_cost:
        raise InvalidTransaction(
            f"insufficient funds for gas * price + value: balance {max(available, 0)}, "
            f"tx cost {pending.max_cost}"
        )
