"""Result objects as the execution-apis schemas and Anvil 1.7.1 shape them, on the devnet and on Anvil.

``blockTimestamp`` on mined transactions (``TransactionInfo``, required since February 2026) and on
every log (``Log``); the pending block (head + 1, built from the pool); a pooled transaction's
pending shape; and ``hydrated`` refused unless it is a JSON boolean.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from devnet_support import Client, artifact, connect
from eth._utils.address import generate_contract_address
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber
from eth_utils.address import to_canonical_address, to_checksum_address

from devnet import Devnet, DevnetConfig
from devnet.pending import pending_block
from devnet.txpool import PendingTx

TAG = b"\xaa" * 32

pytestmark = pytest.mark.anvil


def rpc(url: str, method: str, *params: Any) -> Any:
    """The raw JSON-RPC answer: ``result``, or the ``error`` object."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer = requests.post(url, json=body, timeout=30).json()
    return answer["result"] if "result" in answer else answer["error"]


@pytest.fixture
def mined(node_url: str, accounts: list[LocalAccount]) -> dict[str, Any]:
    """A bump of a fresh counter: one transaction, one log, its own block."""
    client = Client(connect(node_url))
    counter = client.deploy(accounts[0], "counter")
    receipt = client.call_tx(accounts[0], counter.functions.bump(TAG))
    block = rpc(node_url, "eth_getBlockByNumber", hex(receipt["blockNumber"]), True)
    return {"tx": receipt["transactionHash"].to_0x_hex(), "address": counter.address, "block": block}


def test_a_mined_transaction_carries_its_block_timestamp(node_url: str, mined: dict[str, Any]) -> None:
    block = mined["block"]
    found = [
        rpc(node_url, "eth_getTransactionByHash", mined["tx"]),
        rpc(node_url, "eth_getTransactionByBlockNumberAndIndex", block["number"], "0x0"),
        rpc(node_url, "eth_getTransactionByBlockHashAndIndex", block["hash"], "0x0"),
        block["transactions"][0],
    ]
    assert [tx["blockTimestamp"] for tx in found] == [block["timestamp"]] * 4


def test_every_log_carries_its_block_timestamp(node_url: str, mined: dict[str, Any]) -> None:
    block, shape = mined["block"], {"address": mined["address"], "fromBlock": mined["block"]["number"]}
    log_filter = rpc(node_url, "eth_newFilter", shape)
    logs = [
        *rpc(node_url, "eth_getLogs", shape),
        *rpc(node_url, "eth_getTransactionReceipt", mined["tx"])["logs"],
        *rpc(node_url, "eth_getBlockReceipts", block["number"])[0]["logs"],
        *rpc(node_url, "eth_getFilterChanges", log_filter),
        *rpc(node_url, "eth_getFilterLogs", log_filter),
    ]
    assert [log["blockTimestamp"] for log in logs] == [block["timestamp"]] * 5


@pytest.mark.parametrize("method", ["eth_getBlockByNumber", "eth_getBlockByHash"])
@pytest.mark.parametrize("hydrated", ["yes", "true", 1, 0, None])
def test_hydrated_must_be_a_boolean(node_url: str, method: str, hydrated: Any) -> None:
    latest = rpc(node_url, "eth_getBlockByNumber", "latest", False)
    block = "latest" if method == "eth_getBlockByNumber" else latest["hash"]
    assert rpc(node_url, method, block, hydrated)["code"] == -32602


@pytest.mark.parametrize("method", ["eth_getBlockByNumber", "eth_getBlockByHash"])
def test_hydrated_is_required(node_url: str, method: str) -> None:
    latest = rpc(node_url, "eth_getBlockByNumber", "latest", False)
    block = "latest" if method == "eth_getBlockByNumber" else latest["hash"]
    assert rpc(node_url, method, block)["code"] == -32602


@dataclasses.dataclass
class Pooling:
    url: str
    mine: Callable[[], None]


@pytest.fixture(params=["devnet", "anvil"])
def pooling(request: pytest.FixtureRequest, config: DevnetConfig) -> Iterator[Pooling]:
    """A node that seals only when told, so transactions wait in its pool."""
    if request.param == "anvil":
        url = str(request.getfixturevalue("anvil_url"))
        rpc(url, "evm_setAutomine", False)
        try:
            yield Pooling(url, lambda: rpc(url, "evm_mine"))
        finally:
            rpc(url, "evm_mine")
            rpc(url, "evm_setAutomine", True)
        return
    handle = Devnet(dataclasses.replace(config, block_time=86_400.0))

    def mine() -> None:
        handle.node.mine()

    with handle.serving() as url:
        yield Pooling(url, mine)


@pytest.fixture
def two_pooled(pooling: Pooling, accounts: list[LocalAccount]) -> list[str]:
    client = Client(connect(pooling.url))
    transfers = [(accounts[1], accounts[2]), (accounts[2], accounts[1])]
    return ["0x" + client.send(a, {"to": b.address, "value": 1, "gas": 21_000}).hex() for a, b in transfers]


def test_the_pending_block_is_the_next_one_built_from_the_pool(pooling: Pooling, two_pooled: list[str]) -> None:
    head = rpc(pooling.url, "eth_getBlockByNumber", "latest", False)
    pending = rpc(pooling.url, "eth_getBlockByNumber", "pending", False)
    assert int(pending["number"], 16) == int(head["number"], 16) + 1
    assert pending["parentHash"] == head["hash"]
    assert pending["transactions"] == two_pooled
    assert int(pending["gasUsed"], 16) == 2 * 21_000
    assert rpc(pooling.url, "eth_getBlockTransactionCountByNumber", "pending") == "0x2"
    assert rpc(pooling.url, "eth_getBlockReceipts", "pending") is None


def test_the_pending_block_hydrated(pooling: Pooling, two_pooled: list[str]) -> None:
    pending = rpc(pooling.url, "eth_getBlockByNumber", "pending", True)
    assert [tx["hash"] for tx in pending["transactions"]] == two_pooled
    for index, tx in enumerate(pending["transactions"]):
        assert (tx["blockNumber"], tx["transactionIndex"]) == (pending["number"], hex(index))
        assert (tx["blockHash"], tx["blockTimestamp"]) == (pending["hash"], pending["timestamp"])


def test_the_pending_block_has_the_roots_its_sealed_block_will_have(pooling: Pooling, two_pooled: list[str]) -> None:
    pending = rpc(pooling.url, "eth_getBlockByNumber", "pending", False)
    pooling.mine()
    sealed = rpc(pooling.url, "eth_getBlockByNumber", pending["number"], False)
    roots = ("transactionsRoot", "receiptsRoot", "logsBloom", "gasUsed", "transactions")
    assert [sealed[name] for name in roots] == [pending[name] for name in roots]
    assert rpc(pooling.url, "eth_getBlockByHash", pending["hash"], False) is None  # a sample, never sealed


def test_a_pooled_transaction_has_the_pending_shape(pooling: Pooling, two_pooled: list[str]) -> None:
    tx = rpc(pooling.url, "eth_getTransactionByHash", two_pooled[0])
    assert (tx["blockHash"], tx["blockNumber"], tx["transactionIndex"]) == (None, None, None)
    assert "blockTimestamp" not in tx


@pytest.mark.parametrize("pooling", ["devnet"], indirect=True)
def test_the_pending_block_serves_its_transactions_by_index(pooling: Pooling, two_pooled: list[str]) -> None:
    """As geth (Anvil answers null here although its pending block counts them)."""
    pending = rpc(pooling.url, "eth_getBlockByNumber", "pending", True)
    second = rpc(pooling.url, "eth_getTransactionByBlockNumberAndIndex", "pending", "0x1")
    stable = ("hash", "blockNumber", "transactionIndex", "gasPrice")  # the sample's time is the clock's now
    assert [second[name] for name in stable] == [pending["transactions"][1][name] for name in stable]
    assert second["hash"] == two_pooled[1]
    assert rpc(pooling.url, "eth_getTransactionByBlockNumberAndIndex", "pending", "0x2") is None


@pytest.mark.parametrize("pooling", ["devnet"], indirect=True)
def test_the_pending_block_runs_contracts_and_writes_nothing(pooling: Pooling, accounts: list[LocalAccount]) -> None:
    """A pooled deployment and a storage write: the sample's state root is the sealed block's, and
    building it twice (nothing persisted in between) gives the same block."""
    client = Client(connect(pooling.url))
    counter = client.w3.eth.contract(abi=artifact("counter")["abi"], bytecode=artifact("counter")["bytecode"])
    nonce = client.w3.eth.get_transaction_count(accounts[0].address)
    address = to_checksum_address(generate_contract_address(to_canonical_address(accounts[0].address), nonce))
    client.send(accounts[0], {"data": counter.bytecode, "gas": 1_000_000, "nonce": nonce})
    bump = counter.functions.bump(TAG)._encode_transaction_data()
    client.send(accounts[0], {"to": address, "data": bump, "gas": 200_000, "nonce": nonce + 1})
    first = rpc(pooling.url, "eth_getBlockByNumber", "pending", False)
    again = rpc(pooling.url, "eth_getBlockByNumber", "pending", False)
    pooling.mine()
    sealed = rpc(pooling.url, "eth_getBlockByNumber", "latest", False)
    fields = ("stateRoot", "receiptsRoot", "gasUsed", "logsBloom")
    assert [first[name] for name in fields] == [again[name] for name in fields] == [sealed[name] for name in fields]
    assert int(first["gasUsed"], 16) > 100_000 and first["logsBloom"] != "0x" + "00" * 256


def test_the_pending_block_skips_a_transaction_that_cannot_apply(
    devnet: tuple[Devnet, str], accounts: list[LocalAccount]
) -> None:
    """One that slipped past intake (EIP-3860: initcode over 49,152 bytes raises OutOfGas in py-evm) is
    left out and rolled back: the sample is the one built without it."""
    node = devnet[0].node
    builder = node.chain.get_vm_class_for_block_number(BlockNumber(1)).get_transaction_builder()

    def signed(account: LocalAccount, to: bytes, data: bytes, gas: int) -> PendingTx:
        unsigned = builder.new_unsigned_dynamic_fee_transaction(1337, 0, 10**9, 10**10, gas, to, 1, data, [])
        tx = unsigned.as_signed_transaction(PrivateKey(bytes(account.key)), 1337)
        return PendingTx(tx, tx.sender)

    too_big = signed(accounts[0], b"", b"\0" * 50_000, 20_000_000)
    transfer = signed(accounts[1], to_canonical_address(accounts[2].address), b"", 21_000)
    coinbase, head = Address(b"\1" * 20), node.head()
    with_bad = pending_block(node.chain, head, [too_big, transfer], coinbase, 0).block.header
    without = pending_block(node.chain, head, [transfer], coinbase, 0).block.header
    assert with_bad == without and with_bad.gas_used == 21_000
