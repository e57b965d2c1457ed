"""Receipts and transactions of the last blocks are served from memory (devnet.recent), the same as from the store."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from devnet_support import Client, connect
from eth_account.signers.local import LocalAccount

from devnet import Devnet, DevnetConfig
from devnet.methods import method_table
from devnet.node import Node
from devnet.recent import RecentBlocks
from devnet.rpc import Dispatcher


def answers(url: str, tx_hashes: list[str]) -> list[Any]:
    """The raw JSON of each transaction and receipt, as a client gets it."""
    methods = ("eth_getTransactionByHash", "eth_getTransactionReceipt")
    calls = [(method, tx_hash) for tx_hash in tx_hashes for method in methods]
    batch = [{"jsonrpc": "2.0", "id": i, "method": method, "params": [tx_hash]}
             for i, (method, tx_hash) in enumerate(calls)]  # fmt: skip
    return [item["result"] for item in sorted(requests.post(url, json=batch, timeout=30).json(), key=lambda i: i["id"])]


def test_a_receipt_from_memory_is_the_one_the_store_gives_after_a_restart(
    config: DevnetConfig, accounts: list[LocalAccount]
) -> None:
    with Devnet(config).serving() as url:
        client = Client(connect(url))
        counter = client.deploy(accounts[0], "counter")
        receipts = [client.call_tx(account, counter.functions.bump(b"\x01" * 32)) for account in accounts[1:3]]
        tx_hashes = ["0x" + bytes(receipt["transactionHash"]).hex() for receipt in receipts]
        from_memory = answers(url, tx_hashes)
    with Devnet(config).serving() as url:
        from_store = answers(url, tx_hashes)
    assert from_memory == from_store
    assert all(receipt["logs"] for receipt in from_memory[1::2])  # each bump logged: logs compared too


class _Block:
    def __init__(self, number: int) -> None:
        self.number, self.transactions = number, (f"tx{number}",)


def test_only_the_last_blocks_are_kept() -> None:
    recent = RecentBlocks(size=3)
    for number in range(1, 6):
        recent.add(_Block(number), [f"receipt{number}"])  # type: ignore[arg-type, list-item]
    assert [recent.receipt(number, 0) for number in range(1, 6)] == [None, None, "receipt3", "receipt4", "receipt5"]
    assert recent.transaction(5, 0) == "tx5" and recent.transaction(5, 1) is None


def test_a_fresh_receipt_is_served_without_reading_the_block_back(
    config: DevnetConfig, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    node = Node(config)
    try:
        tx = {"to": "0x" + "11" * 20, "value": 1, "gas": 21_000, "nonce": 0, "chainId": config.chain_id,
              "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}  # fmt: skip
        tx_hash = node.intake.submit(bytes(accounts[0].sign_transaction(tx).raw_transaction))
        node.mine_pending()
        for read in ("get_receipt_by_index", "get_transaction_by_index"):
            monkeypatch.setattr(node.chain.chaindb, read, lambda *args: pytest.fail("read back from the store"))
        request = {"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": ["0x" + tx_hash.hex()]}
        answer = Dispatcher(method_table(node)).handle(request)
        assert isinstance(answer, dict) and answer["result"]["status"] == "0x1"
    finally:
        node.close()
