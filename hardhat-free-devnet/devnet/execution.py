"""Read-only execution: ``eth_call``, ``eth_estimateGas`` and ``eth_createAccessList``.

Calls run on the state after block N, in the context of a child of N with base fee 0
(py-evm's "costless state"), as an unsigned transaction from ``sender`` with gas price
0, and are always rolled back. A REVERT becomes ``ExecutionReverted`` carrying the
revert data (JSON-RPC code 3, like geth and Anvil); other failures become
``ExecutionFailed``.

A request with an ``accessList`` runs as an EIP-2930 transaction: its entries are warm
from the start and its intrinsic gas counts them (2,400 per address, 1,900 per storage
key), so an estimate is what the type-1 transaction carrying that list needs.

Gas cap: no call runs with more gas than ``call_gas_cap`` (default: the block gas
limit, as Anvil; geth's ``--rpc.gascap``), whatever gas the request asks for, so one
caller cannot make a single ``eth_call`` or estimate trial run longer than a block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from eth._utils.address import generate_contract_address
from eth.abc import BlockHeaderAPI, ComputationAPI, SignedTransactionAPI, StateAPI, VirtualMachineAPI
from eth.chains.base import Chain
from eth.exceptions import OutOfGas, Revert
from eth.vm.spoof import SpoofTransaction
from eth_abi.abi import decode as abi_decode
from eth_typing import Address
from eth_utils.exceptions import ValidationError

from devnet.errors import ExecutionFailed, ExecutionReverted, OutOfGasAtAllowance

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string), Solidity revert reason
CALL_STIPEND = 2300
ESTIMATE_ERROR_PER_MILLE = 15  # geth's estimateGasErrorRatio
REFUND_QUOTIENT = 5  # EIP-3529: refunds cap at a fifth of the gas used
MAX_ACCESS_LIST_ROUNDS = 8  # geth loops until stable; a list grows a few times at most


AccessList = Sequence[tuple[Address, Sequence[int]]]
"""EIP-2930 access list: (address, storage keys) pairs, in order."""


@dataclass(frozen=True)
class CallRequest:
    """A message to execute without signing; ``to=None`` creates a contract."""

    sender: Address
    to: Address | None
    data: bytes = b""
    value: int = 0
    gas: int | None = None
    access_list: AccessList = field(default_factory=tuple)


class Executor:
    """Runs ``CallRequest``s against any canonical header of ``chain``."""

    def __init__(self, chain: Chain, call_gas_cap: int | None = None) -> None:
        self._chain = chain
        self._call_gas_cap = call_gas_cap

    def call(self, request: CallRequest, header: BlockHeaderAPI) -> bytes:
        """Return data of the call; raises ``ExecutionReverted``/``ExecutionFailed``."""
        vm = self._chain.get_vm(header)
        with vm.in_costless_state() as state:
            gas = self._gas_cap(request, state)
            computation = _trial(vm, state, request, gas)
        _raise_if_failed(computation, gas)
        return computation.output

    def estimate_gas(self, request: CallRequest, header: BlockHeaderAPI) -> int:
        """Smallest gas limit with which the call succeeds (geth's search strategy)."""
        vm = self._chain.get_vm(header)
        with vm.in_costless_state() as state:
            cap = self._gas_cap(request, state)
            computation = _trial(vm, state, request, cap)
            _raise_if_failed(computation, cap)
            needed = cap - computation.get_gas_remaining()
            return _search(vm, state, request, needed, cap)

    def create_access_list(self, request: CallRequest, header: BlockHeaderAPI) -> AccessListResult:
        """geth's ``eth_createAccessList``: run with the list found so far until it is stable."""
        vm = self._chain.get_vm(header)
        with vm.in_costless_state() as state:
            gas = self._gas_cap(request, state)
            excluded = _excluded(state, request)
            found = _normalized(request.access_list)
            for _ in range(MAX_ACCESS_LIST_ROUNDS):
                attempt = replace(request, access_list=found)
                computation, warm = _traced_trial(vm, state, attempt, gas)
                previous, found = found, _access_list_of(warm, excluded)
                if found == previous:
                    break
        return AccessListResult(found, _gas_used(computation, gas), _error_message(computation, gas))

    def _gas_cap(self, request: CallRequest, state: StateAPI) -> int:
        """The request's gas, or the block gas limit, never above ``call_gas_cap``."""
        limit = int(state.gas_limit) if self._call_gas_cap is None else self._call_gas_cap
        return limit if request.gas is None else min(request.gas, limit)


@dataclass(frozen=True)
class AccessListResult:
    """``eth_createAccessList``'s answer; ``error`` is set when the call failed."""

    access_list: AccessList
    gas_used: int
    error: str | None


def _search(vm: VirtualMachineAPI, state: StateAPI, request: CallRequest, needed: int, cap: int) -> int:
    """Binary search in (needed - 1, hi], trying an optimistic ``hi`` first; like geth,
    stop once the bracket is within 1.5% (the answer may exceed the minimum by that)."""
    low, high = needed - 1, cap
    optimistic = min(cap, (needed + CALL_STIPEND) * 64 // 63)
    if not _trial(vm, state, request, optimistic).is_error:
        high = optimistic
    while high - low > max(1, high * ESTIMATE_ERROR_PER_MILLE // 1000):
        middle = (low + high) // 2
        if _trial(vm, state, request, middle).is_error:
            low = middle
        else:
            high = middle
    return high


def _trial(vm: VirtualMachineAPI, state: StateAPI, request: CallRequest, gas: int) -> ComputationAPI:
    """Execute ``request`` with ``gas`` and roll the state back."""
    return _traced_trial(vm, state, request, gas)[0]


def _traced_trial(
    vm: VirtualMachineAPI, state: StateAPI, request: CallRequest, gas: int
) -> tuple[ComputationAPI, tuple[bytes, ...]]:
    """``_trial``, plus the EIP-2929 accessed-set keys just before the roll-back."""
    transaction = _transaction(vm, state, request, gas)
    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(transaction)
        return computation, _warm_keys(state)
    except ValidationError as exc:
        raise ExecutionFailed(_validation_message(exc)) from exc
    finally:
        state.revert(snapshot)


def _transaction(vm: VirtualMachineAPI, state: StateAPI, request: CallRequest, gas: int) -> SignedTransactionAPI:
    """An unsigned transaction from ``request.sender``: legacy, or EIP-2930 with an access list."""
    nonce = state.get_nonce(request.sender)
    to = request.to if request.to is not None else Address(b"")
    if request.access_list:
        access_list = [(address, tuple(keys)) for address, keys in request.access_list]
        unsigned = vm.get_transaction_builder().new_unsigned_access_list_transaction(  # type: ignore[attr-defined]
            state.execution_context.chain_id, nonce, 0, gas, to, request.value, request.data, access_list
        )
    else:
        unsigned = vm.create_unsigned_transaction(
            nonce=nonce, gas_price=0, gas=gas, to=to, value=request.value, data=request.data
        )
    return cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=request.sender))


def _warm_keys(state: StateAPI) -> tuple[bytes, ...]:
    """py-evm's accessed set (EIP-2929): a 20-byte address, or address + minimal big-endian slot.

    geth traces the opcodes instead; the sets differ only for accesses in a reverted sub-call,
    which EIP-2929 rolls back (so they are not listed here) and geth's tracer keeps."""
    journal = state._account_db._journal_accessed_state  # type: ignore[attr-defined]
    return tuple(journal.diff().pending_keys())


def _excluded(state: StateAPI, request: CallRequest) -> frozenset[bytes]:
    """Addresses left out of an access list unless their storage was accessed: as geth, the
    sender, the recipient (or the created contract) and the precompiles; and, unlike geth and
    Anvil, the coinbase, which is warm from the start (EIP-3651): the accessed set cannot tell
    whether the call touched it, and listing it would cost 2,400 gas for nothing."""
    nonce = state.get_nonce(request.sender)
    target = request.to if request.to is not None else generate_contract_address(request.sender, nonce)
    precompiles = state.computation_class.get_precompiles()
    return frozenset({request.sender, target, state.coinbase, *precompiles})


def _access_list_of(warm: Sequence[bytes], excluded: frozenset[bytes]) -> AccessList:
    """The accessed addresses (less ``excluded``) and every address whose storage was accessed."""
    slots: dict[bytes, set[int]] = {}
    for key in warm:
        address, slot = key[:20], key[20:]
        if slot:
            slots.setdefault(address, set()).add(int.from_bytes(slot, "big"))
        elif address not in excluded:
            slots.setdefault(address, set())
    return tuple((Address(address), tuple(sorted(keys))) for address, keys in sorted(slots.items()))


def _normalized(access_list: AccessList) -> AccessList:
    """``access_list`` merged per address and sorted, as ``_access_list_of`` returns it."""
    slots: dict[bytes, set[int]] = {}
    for address, keys in access_list:
        slots.setdefault(address, set()).update(keys)
    return tuple((Address(address), tuple(sorted(keys))) for address, keys in sorted(slots.items()))


def _gas_used(computation: ComputationAPI, gas: int) -> int:
    """Gas the transaction would be charged: used less the refund, capped at a fifth (EIP-3529)."""
    used = gas - computation.get_gas_remaining()
    return used - min(computation.get_gas_refund(), used // REFUND_QUOTIENT)


def _error_message(computation: ComputationAPI, gas: int) -> str | None:
    try:
        _raise_if_failed(computation, gas)
    except (ExecutionReverted, ExecutionFailed) as exc:
        return exc.message
    return None


def _raise_if_failed(computation: ComputationAPI, gas: int) -> None:
    if not computation.is_error:
        return
    error = computation.error
    if isinstance(error, Revert):
        data = computation.output
        raise ExecutionReverted(_revert_message(data), data="0x" + data.hex())
    if isinstance(error, OutOfGas):
        raise OutOfGasAtAllowance(f"gas required exceeds allowance ({gas})")
    raise ExecutionFailed(f"execution failed: {type(error).__name__}: {error}")


def _revert_message(data: bytes) -> str:
    """geth's message: "execution reverted", plus ": reason" for Error(string)."""
    if data[:4] == ERROR_STRING_SELECTOR:
        try:
            (reason,) = abi_decode(["string"], data[4:])
            return f"execution reverted: {reason}"
        except Exception:  # malformed reason: fall back to the bare message
            pass
    return "execution reverted"


def _validation_message(exc: ValidationError) -> str:
    text = str(exc)
    if "balance" in text.lower() or "funds" in text.lower():
        return f"insufficient funds for transfer: {text}"
    return f"invalid call: {text}"
