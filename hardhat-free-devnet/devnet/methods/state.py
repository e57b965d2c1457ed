"""Account state, execution and transaction submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devnet import formatting, params
from devnet.errors import InvalidParams, InvalidTransaction
from devnet.methods.resolve import header_param
from devnet.node import Node


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
        header = header_param(self._node, block)
        output = self._node.executor.call(params.call_request(request), header)
        return formatting.data(output)

    def estimate_gas(self, request: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides:
            raise InvalidParams("state overrides are not supported")
        header = header_param(self._node, block)
        return formatting.quantity(self._node.executor.estimate_gas(params.call_request(request), header))

    def send_raw_transaction(self, raw: Any) -> str:
        return formatting.data(self._node.intake.submit(params.data(raw, "raw transaction")))

    def send_transaction(self, request: Any) -> str:
        del request
        raise InvalidTransaction(
            "unknown account: this node holds no keys; sign locally and use eth_sendRawTransaction"
        )
