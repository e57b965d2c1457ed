"""The devnet's error hierarchy (drawn in the package docstring).

Errors that a JSON-RPC client should see carry their JSON-RPC ``code`` and optional
``data``; ``devnet.rpc`` is the only place that turns them into response objects.
Codes follow EIP-1474 and what geth/Anvil return, so clients recognise them.
"""

from __future__ import annotations

from typing import ClassVar


class DevnetError(Exception):
    """Base of every error raised by the devnet."""


class ConfigError(DevnetError):
    """Invalid configuration or unusable data directory."""


class GenesisMismatch(ConfigError):
    """The data directory was created from a different genesis configuration."""


class StoreError(DevnetError):
    """The key-value store was misused (e.g. a write outside a block transaction)."""


class SealError(DevnetError):
    """A header is not sealed, or not sealed by the configured validator."""


class HttpRefusal(DevnetError):
    """An HTTP request refused before JSON-RPC dispatch; ``status`` is its RFC 9110 status code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RpcError(DevnetError):
    """An error reported to the JSON-RPC client as ``{"code", "message", "data"}``."""

    code: ClassVar[int] = -32603

    def __init__(self, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class ParseError(RpcError):
    """The body is not JSON (or not UTF-8, RFC 8259 §8.1)."""

    code = -32700


class InvalidRequest(RpcError):
    """The JSON sent is not a valid JSON-RPC 2.0 request object."""

    code = -32600


class MethodNotFound(RpcError):
    """The method does not exist or is not served by the devnet."""

    code = -32601


class InvalidParams(RpcError):
    """Missing, extra or malformed method parameters."""

    code = -32602


class InvalidTransaction(RpcError):
    """A raw transaction was refused (bad encoding, nonce, funds, fees, gas...)."""

    code = -32000


class TransactionRejected(InvalidTransaction):
    """A raw transaction refused where Anvil answers -32003 "transaction rejected" (EIP-1474):
    already known, nonce too low, insufficient funds, fee below base fee or above its cap, initcode
    too large, a held nonce sent again, a full pool."""

    code = -32003


class AdmissionError(RpcError):
    """The sender is neither on the genesis allowlist nor a participant who may transact."""

    code = -32003


class UnknownBlock(RpcError):
    """A state query named a block this chain does not have (geth: "header not found")."""

    code = -32000


class FilterNotFound(RpcError):
    """A filter id this node does not hold: never made, uninstalled, expired or lost in a restart.
    geth's code and message, which viem matches to re-create the filter."""

    code = -32000

    def __init__(self) -> None:
        super().__init__("filter not found")


class ExecutionReverted(RpcError):
    """``eth_call``/``eth_estimateGas`` hit REVERT; ``data`` is the revert data."""

    code = 3


class ExecutionFailed(RpcError):
    """Execution failed without REVERT (out of gas, invalid opcode, ...)."""

    code = -32000


class OutOfGasAtAllowance(ExecutionFailed):
    """A call ran out of the gas it was allowed (``devnet.lanes`` retries it with more)."""


class LimitExceeded(RpcError):
    """A query would return more results than the configured limit."""

    code = -32005
