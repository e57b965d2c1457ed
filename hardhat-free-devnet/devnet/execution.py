"""Read-only execution: ``eth_call`` and ``eth_estimateGas`` against a block's state.

Calls run on the state after block N, in the context of a child of N with base fee 0
(py-evm's "costless state"), as an unsigned transaction from ``sender`` with gas price
0, and are always rolled back. A REVERT becomes ``ExecutionReverted`` carrying the
revert data (JSON-RPC code 3, like geth and Anvil); other failures become
``ExecutionFailed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

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


@dataclass(frozen=True)
class CallRequest:
    """A message to execute without signing; ``to=None`` creates a contract."""

    sender: Address
    to: Address | None
    data: bytes = b""
    value: int = 0
    gas: int | None = None


class Executor:
    """Runs ``CallRequest``s against any canonical header of ``chain``."""

    def __init__(self, chain: Chain) -> None:
        self._chain = chain

    def call(self, request: CallRequest, header: BlockHeaderAPI) -> bytes:
        """Return data of the call; raises ``ExecutionReverted``/``ExecutionFailed``."""
        vm = self._chain.get_vm(header)
        with vm.in_costless_state() as state:
            gas = _gas_cap(request, state)
            computation = _trial(vm, state, request, gas)
        _raise_if_failed(computation, gas)
        return computation.output

    def estimate_gas(self, request: CallRequest, header: BlockHeaderAPI) -> int:
        """Smallest gas limit with which the call succeeds (geth's search strategy)."""
        vm = self._chain.get_vm(header)
        with vm.in_costless_state() as state:
            cap = _gas_cap(request, state)
            computation = _trial(vm, state, request, cap)
            _raise_if_failed(computation, cap)
            needed = cap - computation.get_gas_remaining()
            return _search(vm, state, request, needed, cap)


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


def _gas_cap(request: CallRequest, state: StateAPI) -> int:
    limit = int(state.gas_limit)
    return limit if request.gas is None else min(request.gas, limit)


def _trial(vm: VirtualMachineAPI, state: StateAPI, request: CallRequest, gas: int) -> ComputationAPI:
    """Execute ``request`` with ``gas`` and roll the state back."""
    unsigned = vm.create_unsigned_transaction(
        nonce=state.get_nonce(request.sender),
        gas_price=0,
        gas=gas,
        to=request.to if request.to is not None else Address(b""),
        value=request.value,
        data=request.data,
    )
    transaction = cast(SignedTransactionAPI, SpoofTransaction(unsigned, from_=request.sender))
    snapshot = state.snapshot()
    try:
        return state.apply_transaction(transaction)
    except ValidationError as exc:
        raise ExecutionFailed(_validation_message(exc)) from exc
    finally:
        state.revert(snapshot)


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
