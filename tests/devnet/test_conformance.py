"""Conformance: every method the devnet serves, answered on the devnet and on Anvil side by side, and
each answer validated against the method's ``result.schema`` in the Ethereum execution-apis OpenRPC
specification (vendored unchanged in ``execution_apis/``, commit and licence in its README).

The chain each node serves holds a deployed Counter, transactions of types 0, 1 and 2 (EIP-2718,
EIP-2930, EIP-1559) and their logs. How the spec is read and checked: ``openrpc_spec``.

A result must also say something: ``null`` and ``[]`` validate against most result schemas
(``notFound``), so every case here is built to have a non-empty answer. The methods the devnet serves
that the spec does not define are listed in ``OUTSIDE_SPEC``, each with the shape its documentation
gives; ``test_every_served_method_is_checked`` fails when a served method is in neither list.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from devnet_support import Client, artifact, connect
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from openrpc_spec import explain, leaves, result_validator, spec_methods, validator
from web3 import Web3

from devnet import Devnet
from devnet.accounts import DEV_MNEMONIC, dev_accounts, dev_config
from devnet.methods import method_table

CHAIN_ID = 1337
TAG = b"\xc0" * 32
COUNTER = Web3().eth.contract(abi=artifact("counter")["abi"])
BUMP = COUNTER.encode_abi("bump", args=[TAG])
COUNT = COUNTER.encode_abi("count")

UINT = {"$ref": "#/components/schemas/uint"}
OUTSIDE_SPEC: dict[str, tuple[Callable[[World], list[Any]], dict[str, Any]]] = {
    "web3_clientVersion": (lambda w: [], {"type": "string", "minLength": 1}),
    "net_listening": (lambda w: [], {"type": "boolean"}),
    "net_peerCount": (lambda w: [], UINT),
    "eth_mining": (lambda w: [], {"type": "boolean"}),
    "eth_hashrate": (lambda w: [], UINT),
    "eth_getUncleCountByBlockNumber": (lambda w: [w.block["number"]], UINT),
    "eth_getUncleCountByBlockHash": (lambda w: [w.block["hash"]], UINT),
    "evm_increaseTime": (lambda w: [1], {"type": "integer", "minimum": 1}),  # Anvil's answer: the offset
}
"""Served by the devnet, defined by no execution-apis method file: each with the shape geth's (or for
``evm_increaseTime`` Anvil's) documentation gives, in the spec's base types where one applies."""

NOT_ON_ANVIL = {"net_peerCount", "eth_mining"}
"""Anvil 1.7.1 answers -32601 (method not found)."""

REFUSED: dict[tuple[str, str], str] = {
    ("devnet", "eth_sendTransaction"): "unknown account",
}
"""(node, method) answered with a documented error instead: the devnet holds no keys."""

DEVIATIONS: dict[tuple[str, str], str] = {
    ("anvil", "eth_getTransactionReceipt"): "'blockTimestamp' was unexpected",
    ("anvil", "eth_getBlockReceipts"): "'blockTimestamp' was unexpected",
}
"""(node, method) whose answer breaks the spec in exactly this one way, asserted (not skipped): Anvil
adds ``blockTimestamp`` to receipts, where the spec's ReceiptInfo allows no additional properties.
When Anvil conforms, the test fails here and the entry goes."""


# -- the chain each node serves ------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """A node with a Counter, transactions of three types and their logs; raw JSON-RPC to it."""

    url: str
    counter: str
    txs: dict[str, str]  # "deploy", "eip1559", "legacy", "access-list" -> transaction hash
    block: dict[str, Any]  # the block holding the EIP-1559 call: number and hash

    def answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        response: dict[str, Any] = requests.post(self.url, json=body, timeout=30).json()
        return response

    def result(self, method: str, *params: Any) -> Any:
        response = self.answer(method, list(params))
        assert "error" not in response, f"{method}: {response['error']}"
        return response["result"]

    def bump(self) -> str:
        """One more Counter.bump from the second account, mined: its hash."""
        return send(self, dev_accounts(2)[1], {"to": self.counter, "data": BUMP, "gas": 100_000})


def send(world: World | Client, account: LocalAccount, tx: dict[str, Any]) -> str:
    """Sign ``tx`` (any type) locally, send it raw, wait for the receipt; its hash."""
    client = world if isinstance(world, Client) else Client(connect(world.url))
    if "gasPrice" not in tx:
        tx = {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, **tx}
    nonce = client.w3.eth.get_transaction_count(account.address, "pending")
    signed = account.sign_transaction({"chainId": CHAIN_ID, "nonce": nonce, **tx})
    receipt = client.wait(client.w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    return "0x" + bytes(receipt["transactionHash"]).hex()


def build_world(url: str) -> World:
    client = Client(connect(url))
    owner, caller = dev_accounts(2)
    deployed = client.transact(owner, {"data": artifact("counter")["bytecode"], "gas": 1_000_000})
    counter = str(deployed["contractAddress"])
    txs = {"deploy": "0x" + bytes(deployed["transactionHash"]).hex()}
    txs["eip1559"] = send(client, caller, {"to": counter, "data": BUMP, "gas": 100_000})
    txs["legacy"] = send(client, owner, {"to": caller.address, "value": 1, "gas": 21_000, "gasPrice": 10**10})
    access = [{"address": counter, "storageKeys": ["0x" + "00" * 32]}]
    txs["access-list"] = send(
        client, caller, {"to": counter, "data": BUMP, "gas": 100_000, "gasPrice": 10**10, "accessList": access}
    )
    receipt = client.w3.eth.get_transaction_receipt(HexStr(txs["eip1559"]))
    block = {"number": hex(receipt["blockNumber"]), "hash": "0x" + bytes(receipt["blockHash"]).hex()}
    return World(url, counter, txs, block)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def devnet_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Devnet]]:
    handle = Devnet(dev_config(tmp_path_factory.mktemp("conformance"), port=0, time_travel=True))
    with handle.serving() as url:
        yield build_world(url), handle


@pytest.fixture(scope="module")
def anvil_world(tools: Callable[[str], Path]) -> Iterator[World]:
    """Anvil with the devnet's mnemonic and chain id, so the same accounts sign on both."""
    port = free_port()
    args = ["--port", str(port), "--chain-id", str(CHAIN_ID), "--mnemonic", DEV_MNEMONIC, "--silent"]
    proc = subprocess.Popen([str(tools("anvil")), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, proc)
        yield build_world(url)
    finally:
        proc.terminate()
        proc.wait(10)


def wait_until_serving(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"anvil is not serving {url}")


@pytest.fixture(params=["devnet", "anvil"])
def node(request: pytest.FixtureRequest) -> tuple[str, World]:
    found = request.getfixturevalue(f"{request.param}_world")
    return request.param, found[0] if isinstance(found, tuple) else found


# -- the calls -----------------------------------------------------------------------------------------


def log_filter_changes(w: World) -> list[Any]:
    filter_id = w.result("eth_newFilter", {"address": w.counter, "fromBlock": "latest"})
    w.bump()
    return [filter_id]


def block_filter_changes(w: World) -> list[Any]:
    filter_id = w.result("eth_newBlockFilter")
    w.bump()
    return [filter_id]


def pending_filter_changes(w: World) -> list[Any]:
    filter_id = w.result("eth_newPendingTransactionFilter")
    w.bump()
    return [filter_id]


def raw_bump(w: World) -> list[Any]:
    caller = dev_accounts(2)[1]
    nonce = int(w.result("eth_getTransactionCount", caller.address, "pending"), 16)
    tx = {"to": w.counter, "data": BUMP, "gas": 100_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    signed = caller.sign_transaction({**tx, "chainId": CHAIN_ID, "nonce": nonce})
    return ["0x" + bytes(signed.raw_transaction).hex()]


def caller() -> str:
    return str(dev_accounts(2)[1].address)


CASES: dict[str, Callable[[World], list[Any]]] = {
    "net_version": lambda w: [],
    "eth_chainId": lambda w: [],
    "eth_accounts": lambda w: [],
    "eth_syncing": lambda w: [],
    "eth_coinbase": lambda w: [],
    "eth_blockNumber": lambda w: [],
    "eth_getBlockByNumber[full]": lambda w: [w.block["number"], True],
    "eth_getBlockByNumber[latest]": lambda w: ["latest", False],
    "eth_getBlockByNumber[pending]": lambda w: ["pending", False],
    "eth_getBlockByHash[full]": lambda w: [w.block["hash"], True],
    "eth_getBlockByHash[hashes]": lambda w: [w.block["hash"], False],
    "eth_getBlockReceipts": lambda w: [w.block["number"]],
    "eth_getBlockTransactionCountByNumber": lambda w: [w.block["number"]],
    "eth_getBlockTransactionCountByHash": lambda w: [w.block["hash"]],
    "eth_getTransactionByHash[eip1559]": lambda w: [w.txs["eip1559"]],
    "eth_getTransactionByHash[legacy]": lambda w: [w.txs["legacy"]],
    "eth_getTransactionByHash[access-list]": lambda w: [w.txs["access-list"]],
    "eth_getTransactionByHash[deploy]": lambda w: [w.txs["deploy"]],
    "eth_getTransactionByBlockNumberAndIndex": lambda w: [w.block["number"], "0x0"],
    "eth_getTransactionByBlockHashAndIndex": lambda w: [w.block["hash"], "0x0"],
    "eth_getTransactionReceipt[eip1559]": lambda w: [w.txs["eip1559"]],
    "eth_getTransactionReceipt[legacy]": lambda w: [w.txs["legacy"]],
    "eth_getTransactionReceipt[access-list]": lambda w: [w.txs["access-list"]],
    "eth_getTransactionReceipt[deploy]": lambda w: [w.txs["deploy"]],
    "eth_getLogs": lambda w: [{"address": w.counter, "fromBlock": "0x0", "toBlock": "latest"}],
    "eth_gasPrice": lambda w: [],
    "eth_maxPriorityFeePerGas": lambda w: [],
    "eth_feeHistory": lambda w: ["0x4", "latest", [25, 75]],
    "eth_blobBaseFee": lambda w: [],
    "eth_newFilter": lambda w: [{"address": w.counter, "fromBlock": "latest"}],
    "eth_newBlockFilter": lambda w: [],
    "eth_newPendingTransactionFilter": lambda w: [],
    "eth_getFilterChanges[logs]": log_filter_changes,
    "eth_getFilterChanges[blocks]": block_filter_changes,
    "eth_getFilterChanges[pending]": pending_filter_changes,
    "eth_getFilterLogs": lambda w: [w.result("eth_newFilter", {"address": w.counter, "fromBlock": "0x0"})],
    "eth_uninstallFilter": lambda w: [w.result("eth_newBlockFilter")],
    "eth_getBalance": lambda w: [caller(), "latest"],
    "eth_getCode": lambda w: [w.counter, "latest"],
    "eth_getStorageAt": lambda w: [w.counter, "0x0", "latest"],
    "eth_getTransactionCount": lambda w: [caller(), "latest"],
    "eth_getProof": lambda w: [w.counter, ["0x" + "00" * 32], "latest"],  # padded, as clients send
    "eth_call": lambda w: [{"to": w.counter, "data": COUNT}, "latest"],
    "eth_estimateGas": lambda w: [{"from": caller(), "to": w.counter, "data": BUMP}],
    "eth_createAccessList": lambda w: [{"from": caller(), "to": w.counter, "data": BUMP}, "latest"],
    "eth_sendRawTransaction": raw_bump,
    "eth_sendTransaction": lambda w: [{"from": caller(), "to": w.counter, "data": BUMP}],
}
"""Each spec method the devnet serves or should serve, with realistic params; ``[variant]`` for more."""

MAY_BE_EMPTY = {"eth_accounts"}
"""The devnet holds no keys: ``[]`` is its true answer (Anvil lists its ten)."""


def method_of(case: str) -> str:
    return case.split("[")[0]


@pytest.mark.parametrize("case", list(CASES))
def test_result_matches_the_spec(node: tuple[str, World], case: str) -> None:
    name, world = node
    method = method_of(case)
    response = world.answer(method, CASES[case](world))
    if (name, method) in REFUSED:
        assert response["error"]["code"] == -32000 and REFUSED[name, method] in response["error"]["message"]
        return
    assert "error" not in response, f"{name} {method}: {response['error']}"
    result = response["result"]
    if method not in MAY_BE_EMPTY:
        assert result not in (None, []), f"{name} {method} answered {result!r}: nothing to validate"
    errors = list(result_validator(method).iter_errors(result))
    if (name, method) in DEVIATIONS:
        assert errors and all(DEVIATIONS[name, method] in e.message for e in leaves(errors)), explain(errors)
        return
    assert not errors, f"{name} {case} against the spec:\n" + explain(errors) + "\n" + json.dumps(result)[:600]


@pytest.mark.parametrize("node", ["devnet", "anvil"], indirect=True)
def test_filter_ids_are_quantities(node: tuple[str, World]) -> None:
    """The spec's filter identifier is a ``uint``: no leading zero digit. Random ids have one in 16
    cases, so one id proves little; 200 leave a non-conforming generator one chance in 400,000."""
    world = node[1]
    ids = [world.result("eth_newBlockFilter") for _ in range(200)]
    for filter_id in ids:
        world.result("eth_uninstallFilter", filter_id)
    assert [i for i in ids if list(result_validator("eth_newBlockFilter").iter_errors(i))] == []


@pytest.mark.parametrize("method", list(OUTSIDE_SPEC))
def test_outside_the_spec_answers_in_shape(node: tuple[str, World], method: str) -> None:
    name, world = node
    params, schema = OUTSIDE_SPEC[method]
    response = world.answer(method, params(world))
    if name == "anvil" and method in NOT_ON_ANVIL:
        assert response["error"]["code"] == -32601
        return
    assert "error" not in response, f"{name} {method}: {response['error']}"
    errors = list(validator(schema).iter_errors(response["result"]))
    assert not errors, f"{name} {method} answered {response['result']!r}:\n" + explain(errors)


def test_every_served_method_is_checked(devnet_world: tuple[World, Devnet]) -> None:
    served = set(method_table(devnet_world[1].node))
    checked = {method_of(case) for case in CASES}
    assert served - checked - set(OUTSIDE_SPEC) == set()
    assert checked <= set(spec_methods()) and not set(OUTSIDE_SPEC) & set(spec_methods())
