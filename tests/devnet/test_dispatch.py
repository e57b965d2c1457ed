"""JSON-RPC 2.0 dispatch, without HTTP, and transaction intake errors through it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from devnet.errors import InvalidTransaction
from devnet.methods import method_table
from devnet.node import Node
from devnet.rpc import Dispatcher


def echo(value: Any, optional: Any = None) -> Any:
    return [value, optional]


def boom() -> None:
    raise ValueError("kaput")


def refuse() -> None:
    raise InvalidTransaction("nonce too low: next nonce 1, tx nonce 0")


DISPATCHER = Dispatcher({"echo": echo, "boom": boom, "refuse": refuse})


def call(method: str, *params: Any) -> dict[str, Any]:
    answer = DISPATCHER.handle({"jsonrpc": "2.0", "id": 7, "method": method, "params": list(params)})
    assert isinstance(answer, dict)
    return answer


def test_result_and_errors() -> None:
    assert call("echo", 1) == {"jsonrpc": "2.0", "id": 7, "result": [1, None]}
    assert call("echo")["error"]["code"] == -32602
    assert call("echo", 1, 2, 3)["error"]["code"] == -32602
    assert call("nope")["error"]["code"] == -32601
    assert call("boom")["error"] == {"code": -32603, "message": "internal error: kaput"}
    assert call("refuse")["error"] == {"code": -32000, "message": "nonce too low: next nonce 1, tx nonce 0"}


def test_request_shapes() -> None:
    assert DISPATCHER.handle({"jsonrpc": "2.0", "method": "echo", "params": [1]}) is None  # notification
    assert DISPATCHER.handle([{"jsonrpc": "2.0", "method": "echo", "params": [1]}]) is None
    assert DISPATCHER.handle(42)["error"]["code"] == -32600  # type: ignore[index,call-overload]
    assert DISPATCHER.handle({"jsonrpc": "1.0", "id": 1, "method": "echo"})["error"]["code"] == -32600  # type: ignore[index,call-overload]
    by_name = {"jsonrpc": "2.0", "id": 1, "method": "echo", "params": {"value": 1}}
    assert DISPATCHER.handle(by_name)["error"]["code"] == -32602  # type: ignore[index,call-overload]
    assert json.loads(DISPATCHER.handle_bytes(b"\xff") or b"")["error"]["code"] == -32700


def send(node: Node, account: LocalAccount, **fields: Any) -> dict[str, Any]:
    tx: dict[str, Any] = {"to": "0x" + "11" * 20, "value": 1, "gas": 21_000, "nonce": 0, "chainId": 1337,
          "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}  # fmt: skip
    tx.update(fields)
    raw = "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()
    answer = Dispatcher(method_table(node)).handle(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [raw]}
    )
    assert isinstance(answer, dict)
    return answer


def test_intake_rejections(node: Node, accounts: list[LocalAccount]) -> None:
    sender = accounts[0]
    assert "result" in send(node, sender)
    assert send(node, sender)["error"]["message"] == "already known"
    assert send(node, sender, value=2)["error"]["message"].startswith("nonce too low")
    assert send(node, sender, nonce=100)["error"]["message"].startswith("nonce too high")  # beyond what is held
    assert send(node, sender, nonce=1, chainId=1)["error"]["message"].startswith("invalid chain id")
    assert send(node, sender, nonce=1, gas=20_000)["error"]["message"].startswith("intrinsic gas too low")
    assert send(node, sender, nonce=1, gas=31_000_000)["error"]["message"].startswith(
        "exceeds block gas limit"
    )
    too_cheap = send(node, sender, nonce=1, maxFeePerGas=1, maxPriorityFeePerGas=1)
    assert too_cheap["error"]["message"].startswith("max fee per gas less than block base fee")
    rich = send(node, sender, nonce=1, value=10**30)
    assert rich["error"]["message"].startswith("insufficient funds for gas * price + value")
    garbage = Dispatcher(method_table(node)).handle(
        {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x0badc0de"]}
    )
    assert garbage["error"]["message"].startswith("invalid raw transaction")  # type: ignore[index,call-overload]
    assert node.intake.pending_nonce(bytes.fromhex(sender.address[2:])) == 1  # type: ignore[arg-type]
    block = node.mine_pending()
    assert block is not None and len(block.transactions) == 1


def test_pre_eip155_transactions_are_refused(node: Node) -> None:
    account = Account.from_key(b"\x03" * 32)
    tx: dict[str, Any] = {"to": "0x" + "11" * 20, "value": 0, "gas": 21_000, "nonce": 0, "gasPrice": 10**10}
    raw = bytes(account.sign_transaction(tx).raw_transaction)
    with pytest.raises(InvalidTransaction, match="replay-protected"):
        node.intake.decode(raw)


def test_unknown_things_are_null(node: Node) -> None:
    table = method_table(node)
    assert table["eth_getTransactionByHash"]("0x" + "00" * 32) is None
    assert table["eth_getTransactionReceipt"]("0x" + "00" * 32) is None
    assert table["eth_getBlockByNumber"]("0x99", False) is None
    assert table["eth_getBlockByHash"]("0x" + "00" * 32, True) is None


def test_state_overrides_are_refused(node: Node, tmp_path: Path) -> None:
    answer = Dispatcher(method_table(node)).handle(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_call",
            "params": [{"to": "0x" + "11" * 20}, "latest", {"x": {}}],
        }
    )
    assert answer["error"]["code"] == -32602  # type: ignore[index,call-overload]
