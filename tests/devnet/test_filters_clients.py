"""Polling filters as ethers, viem and web3.py use them, checked against Anvil where both serve the call.

The cases a client depends on: a lost filter answers -32000 "filter not found" (viem re-creates the
filter only on that code, so a watcher survives a node restart), a pending-transaction filter exists
(ethers' ``provider.on('pending')`` crashes Node.js when it is refused), and a log filter created with
a ``fromBlock`` below the head backfills from there on its first poll, as Anvil does.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from devnet_support import Client, connect
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from devnet import Devnet, DevnetConfig
from devnet.methods.filters import FilterMethods

TAG = b"\xaa" * 32


def rpc(url: str, method: str, *params: Any) -> Any:
    """The raw JSON-RPC answer: ``result``, or the ``error`` object."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer = requests.post(url, json=body, timeout=30).json()
    return answer["result"] if "result" in answer else answer["error"]


def changes(url: str, filter_id: str) -> list[int]:
    """Block numbers of what ``eth_getFilterChanges`` returns (logs), one per log."""
    return [int(entry["blockNumber"], 16) for entry in rpc(url, "eth_getFilterChanges", filter_id)]


@pytest.fixture
def on_node(node_url: str) -> Client:
    return Client(connect(node_url))


@pytest.fixture
def bumped(on_node: Client, accounts: list[LocalAccount]) -> Contract:
    """A counter whose first two bumps (two blocks, one log each) predate every filter."""
    counter = on_node.deploy(accounts[0], "counter")
    for _ in range(2):
        on_node.call_tx(accounts[0], counter.functions.bump(TAG))
    return counter


@pytest.mark.anvil
def test_an_unknown_filter_is_32000_filter_not_found(node_url: str) -> None:
    for method in ("eth_getFilterChanges", "eth_getFilterLogs"):
        assert rpc(node_url, method, "0x1234") == {"code": -32000, "message": "filter not found"}


@pytest.mark.anvil
def test_filter_logs_of_a_block_filter_is_filter_not_found(node_url: str) -> None:
    """geth and Anvil: ``eth_getFilterLogs`` only knows log filters."""
    block_filter = rpc(node_url, "eth_newBlockFilter")
    assert rpc(node_url, "eth_getFilterLogs", block_filter) == {"code": -32000, "message": "filter not found"}


def test_a_filter_lost_in_a_restart_is_filter_not_found(config: DevnetConfig) -> None:
    """What viem's watchers see after the devnet restarts: the code that makes them re-create the filter."""
    with Devnet(config).serving() as url:
        filter_id = rpc(url, "eth_newBlockFilter")
    with Devnet(config).serving() as url:
        assert rpc(url, "eth_getFilterChanges", filter_id) == {"code": -32000, "message": "filter not found"}


@pytest.mark.anvil
@pytest.mark.parametrize(
    ("from_block", "backfilled"),
    [("0x0", 2), ("earliest", 2), ("first bump", 2), ("second bump", 1), ("latest", 1), (None, 0)],
)
def test_a_log_filter_backfills_from_its_from_block(
    on_node: Client, bumped: Contract, accounts: list[LocalAccount], from_block: str | None, backfilled: int
) -> None:
    """Anvil's first poll returns the logs from ``fromBlock`` ("latest": the head when the filter was made)
    up to the head; without ``fromBlock`` only what comes after. Later polls return only new logs."""
    url, head = on_node.w3.provider.endpoint_uri, on_node.w3.eth.block_number  # type: ignore[attr-defined]
    named = {"first bump": hex(head - 1), "second bump": hex(head)}
    shape: dict[str, Any] = {"address": bumped.address}
    if from_block is not None:
        shape["fromBlock"] = named.get(from_block, from_block)
    filter_id = rpc(url, "eth_newFilter", shape)
    later = on_node.call_tx(accounts[0], bumped.functions.bump(TAG))["blockNumber"]
    assert changes(url, filter_id) == [*range(head - backfilled + 1, head + 1), later]
    assert changes(url, filter_id) == []


@pytest.mark.anvil
def test_a_log_filter_stops_at_its_to_block(on_node: Client, bumped: Contract, accounts: list[LocalAccount]) -> None:
    url, head = on_node.w3.provider.endpoint_uri, on_node.w3.eth.block_number  # type: ignore[attr-defined]
    shape = {"address": bumped.address, "fromBlock": "0x0", "toBlock": hex(head + 1)}
    filter_id = rpc(url, "eth_newFilter", shape)
    for _ in range(2):
        on_node.call_tx(accounts[0], bumped.functions.bump(TAG))
    assert changes(url, filter_id) == [head - 1, head, head + 1]


@pytest.mark.anvil
def test_a_pending_transaction_filter_reports_each_accepted_transaction_once(
    on_node: Client, accounts: list[LocalAccount]
) -> None:
    """Automined or not, a transaction passes through the pool: its hash is reported once."""
    url = on_node.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    before = on_node.transact(accounts[1], {"to": accounts[2].address, "value": 1})
    filter_id = rpc(url, "eth_newPendingTransactionFilter")
    assert rpc(url, "eth_getFilterChanges", filter_id) == []
    sent = [on_node.transact(accounts[1], {"to": accounts[2].address, "value": 1}) for _ in range(2)]
    reported = rpc(url, "eth_getFilterChanges", filter_id)
    assert reported == [receipt["transactionHash"].to_0x_hex() for receipt in sent]
    assert before["transactionHash"].to_0x_hex() not in reported
    assert rpc(url, "eth_getFilterChanges", filter_id) == []


@pytest.fixture
def pooling(config: DevnetConfig) -> Iterator[tuple[Devnet, str]]:
    """A devnet that seals only when told (``node.mine()``), so transactions wait in the pool."""
    handle = Devnet(dataclasses.replace(config, block_time=86_400.0))
    with handle.serving() as url:
        yield handle, url


def test_a_pending_transaction_filter_sees_the_pool_then_not_the_block(
    pooling: tuple[Devnet, str], accounts: list[LocalAccount]
) -> None:
    handle, url = pooling
    client = Client(connect(url))
    filter_id = rpc(url, "eth_newPendingTransactionFilter")
    first = client.send(accounts[1], {"to": accounts[2].address, "value": 1, "gas": 21_000})
    assert rpc(url, "eth_getFilterChanges", filter_id) == ["0x" + first.hex()]
    second = client.send(accounts[2], {"to": accounts[1].address, "value": 1, "gas": 21_000})
    handle.node.mine()
    assert rpc(url, "eth_getFilterChanges", filter_id) == ["0x" + second.hex()]
    handle.node.mine()
    assert rpc(url, "eth_getFilterChanges", filter_id) == []


def test_a_pending_transaction_filter_takes_no_params(devnet: tuple[Devnet, str]) -> None:
    assert rpc(devnet[1], "eth_newPendingTransactionFilter", True)["code"] == -32602


def test_concurrent_polls_of_one_filter_report_each_block_once(devnet: tuple[Devnet, str]) -> None:
    node = devnet[0].node
    filters = FilterMethods(node)
    filter_id = filters.new_block_filter()
    for _ in range(100):
        node.mine()
    start = threading.Barrier(8)

    def poll() -> list[str]:
        start.wait()
        return [str(block) for block in filters.changes(filter_id)]

    with ThreadPoolExecutor(8) as pool:
        reported = [block for answer in pool.map(lambda _: poll(), range(8)) for block in answer]
    assert len(reported) == len(set(reported)) == 100


def test_pending_transaction_filters_on_one_pool_share_what_they_remember(
    pooling: tuple[Devnet, str], accounts: list[LocalAccount]
) -> None:
    """Memory per filter stays constant however large the pool: filters that saw the same pool hold one set."""
    handle, url = pooling
    client = Client(connect(url))
    for _ in range(3):
        client.send(accounts[1], {"to": accounts[2].address, "value": 1, "gas": 21_000})
    filters = FilterMethods(handle.node)
    made = [filters.new_pending_transaction_filter() for _ in range(50)]
    remembered = {id(filters._filters[filter_id].seen) for filter_id in made}  # type: ignore[attr-defined]
    assert len(remembered) == 1 and len(filters._filters[made[0]].seen) == 3  # type: ignore[attr-defined]
