"""The miner gives way to requests being served (devnet.traffic), for a bounded time per block."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from devnet import Devnet
from devnet.node import Node
from devnet.traffic import BLOCK_WAIT_SECONDS, Traffic

CHAIN_ID = 1337


def in_thread(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_with_no_request_served_the_miner_does_not_wait() -> None:
    miner = in_thread(Traffic().courtesy(budget=60))
    miner.join(5)
    assert not miner.is_alive()


def test_the_miner_waits_while_a_request_is_served_and_goes_on_when_it_ends() -> None:
    traffic = Traffic()
    with traffic.serving():
        miner = in_thread(traffic.courtesy(budget=60))
        miner.join(0.3)
        assert miner.is_alive()
    miner.join(5)
    assert not miner.is_alive()


def test_one_block_waits_at_most_its_budget_in_all_however_long_requests_last() -> None:
    traffic = Traffic()
    with traffic.serving():
        give_way = traffic.courtesy(budget=0.5)
        began = time.monotonic()
        for _ in range(10):  # a budget per call would take 5 s
            give_way()
        waited = time.monotonic() - began
    assert 0.5 <= waited < 3


def transfer(account: LocalAccount, nonce: int) -> bytes:
    tx: dict[str, Any] = {"to": "0x" + "11" * 20, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": CHAIN_ID,
          "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}  # fmt: skip
    return bytes(account.sign_transaction(tx).raw_transaction)


def test_a_block_built_while_a_request_is_served_waits_for_it_then_is_sealed_whole(
    node: Node, accounts: list[LocalAccount]
) -> None:
    for nonce in range(3):
        node.intake.submit(transfer(accounts[0], nonce))
    with node.traffic.serving():
        began = time.monotonic()
        block = node.mine_pending()
        waited = time.monotonic() - began
    assert block is not None and len(block.transactions) == 3
    assert waited >= BLOCK_WAIT_SECONDS  # it gave way (and no more than its budget, or it would not return)


def test_the_builder_gives_way_before_each_transaction_and_before_the_state_root(
    node: Node, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(node.traffic, "courtesy", lambda: lambda: calls.append(len(calls)))
    for nonce in range(3):
        node.intake.submit(transfer(accounts[0], nonce))
    node.mine_pending()
    assert len(calls) == 3 + 1


def test_the_server_counts_a_request_as_served_from_its_first_byte_to_its_answer(devnet: tuple[Devnet, str]) -> None:
    service, url = devnet
    host, port = url.removeprefix("http://").split(":")
    body = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\n")
        time.sleep(0.2)  # the server has read the first bytes
        miner = in_thread(service.node.traffic.courtesy(budget=60))
        miner.join(0.3)
        assert miner.is_alive()
        head = f"Host: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body)
        assert b'"result"' in connection.recv(65536)
        miner.join(5)
        assert not miner.is_alive()
