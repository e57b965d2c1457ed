"""Account state, execution and transaction submission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from eth.abc import BlockHeaderAPI

from devnet import formatting, params
from devnet.errors import InvalidParams, InvalidTransaction
from devnet.execution import CallRequest
from devnet.methods.resolve import header_param
from devnet.node import Node

T = TypeVar("T")


class StateMethods:
    """Balances, code, storage, nonces, ``eth_call``, gas estimates and sending."""

    def __init__(self, node: Node) -> None:
        self._node = node

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "eth_getBalance": self.balance,
            "eth_getCode": self.code,
            "eth_getStorageAt": self.storage_at,
            "eth_getTransactionCount": self.transaction_count,
            "eth_call": self.call,
            "eth_estimateGas": self.estimate_gas,
            "eth_sendRawTransaction": self.send_raw_transaction,
            "eth_sendTransaction": self.send_transaction,
        }

    def balance(self, address: Any, block: Any = "latest") -> str:
        state = self._node.state(header_param(self._node, block))
        return formatting.quantity(state.get_balance(params.address(address)))

    def code(self, address: Any, block: Any = "latest") -> str:
        state = self._node.state(header_param(self._node, block))
        return formatting.data(state.get_code(params.address(address)))

    def storage_at(self, address: Any, slot: Any, block: Any = "latest") -> str:
        state = self._node.state(header_param(self._node, block))
        value = state.get_storage(params.address(address), params.storage_slot(slot))
        return formatting.data(value.to_bytes(32, "big"))

    def transaction_count(self, address: Any, block: Any = "latest") -> str:
        sender = params.address(address)
        if block == "pending":
            return formatting.quantity(self._node.intake.pending_nonce(sender))
        state = self._node.state(header_param(self._node, block))
        return formatting.quantity(state.get_nonce(sender))

    def call(self, request: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides:
            raise InvalidParams("state overrides are not supported")
        return formatting.data(self._in_lane(self._node.executor.call, request, block))

    def estimate_gas(self, request: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides:
            raise InvalidParams("state overrides are not supported")
        return formatting.quantity(self._in_lane(self._node.executor.estimate_gas, request, block))

    def _in_lane(self, execute: Callable[[CallRequest, BlockHeaderAPI], T], request: Any, block: Any) -> T:
        """``execute`` on the call in ``devnet.lanes``: light first, heavy if it needs more gas."""
        header, message = header_param(self._node, block), params.call_request(request)
        return self._node.lanes.run(lambda gas: execute(replace(message, gas=gas), header), _allowance(message, header))

    def send_raw_transaction(self, raw: Any) -> str:
        return formatting.data(self._node.intake.submit(params.data(raw, "raw transaction")))

    def send_transaction(self, request: Any) -> str:
        del request
        raise InvalidTransaction(
            "unknown account: this node holds no keys; sign locally and use eth_sendRawTransaction"
        )


def _allowance(request: CallRequest, header: BlockHeaderAPI) -> int:
    """The gas a call may use: what it asks for, at most a block's gas limit."""
    return header.gas_limit if request.gas is None else min(request.gas, header.gas_limit)
