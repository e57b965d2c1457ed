"""The devnet driven by web3.py over HTTP, as an application would."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from devnet_support import Client
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from devnet import Devnet, recover_signer
from devnet.seal import header_hash

TAG_A = b"\xaa" * 32
TAG_B = b"\xbb" * 32
BUMPED = Web3.keccak(text="Bumped(address,bytes32,uint256)")


def topic(value: bytes) -> str:
    return "0x" + value.rjust(32, b"\0").hex()


def test_deploy_transact_and_read(client: Client, counter: Contract, accounts: list[LocalAccount]) -> None:
    receipt = client.call_tx(accounts[1], counter.functions.bump(TAG_A))
    assert receipt["status"] == 1
    assert counter.functions.count().call() == 1
    assert counter.functions.tags(TAG_A).call() == 1
    (event,) = counter.events.Bumped().process_receipt(receipt)
    assert event["args"]["caller"] == accounts[1].address
    assert event["args"]["tag"] == TAG_A
    slot0 = client.w3.eth.get_storage_at(counter.address, 0)
    assert int.from_bytes(slot0, "big") == 1
    assert len(client.w3.eth.get_code(counter.address)) > 0


def test_transaction_and_receipt_shapes(
    client: Client, counter: Contract, accounts: list[LocalAccount]
) -> None:
    receipt = client.call_tx(accounts[0], counter.functions.bump(TAG_A))
    tx = client.w3.eth.get_transaction(receipt["transactionHash"])
    assert tx["from"] == accounts[0].address and tx["to"] == counter.address
    assert tx["blockHash"] == receipt["blockHash"] and tx["type"] == 2
    assert receipt["gasUsed"] > 21000 and receipt["cumulativeGasUsed"] >= receipt["gasUsed"]
    block = client.w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    mined: Any = block["transactions"][receipt["transactionIndex"]]
    assert mined["hash"] == receipt["transactionHash"]
    assert client.w3.eth.get_block(receipt["blockHash"])["transactions"][0] == receipt["transactionHash"]
    assert client.w3.eth.get_block_transaction_count(receipt["blockNumber"]) == len(block["transactions"])


def test_legacy_transaction(client: Client, counter: Contract, accounts: list[LocalAccount]) -> None:
    w3 = client.w3
    tx = {
        "to": counter.address,
        "data": counter.functions.bump(TAG_B)._encode_transaction_data(),
        "gas": 200_000,
        "gasPrice": w3.eth.gas_price,
        "nonce": w3.eth.get_transaction_count(accounts[2].address, "pending"),
        "chainId": w3.eth.chain_id,
    }
    receipt = client.wait(w3.eth.send_raw_transaction(accounts[2].sign_transaction(tx).raw_transaction))
    assert receipt["status"] == 1 and receipt["type"] == 0
    assert w3.eth.get_transaction(receipt["transactionHash"])["gasPrice"] == tx["gasPrice"]


def test_pipelined_sends_share_blocks_and_pending_nonce(
    client: Client, counter: Contract, accounts: list[LocalAccount]
) -> None:
    sender = accounts[3]
    start = client.w3.eth.get_transaction_count(sender.address, "pending")
    data = counter.functions.bump(TAG_B)._encode_transaction_data()
    hashes = [client.send(sender, {"to": counter.address, "data": data, "gas": 100_000}) for _ in range(30)]
    receipts = [client.wait(tx_hash) for tx_hash in hashes]
    assert client.w3.eth.get_transaction_count(sender.address) == start + 30
    assert client.w3.eth.get_transaction_count(sender.address, "pending") == start + 30
    assert len({receipt["blockNumber"] for receipt in receipts}) < 30  # batched
    assert counter.functions.count().call() == 30


def test_get_logs_filters(client: Client, counter: Contract, accounts: list[LocalAccount]) -> None:
    for account, tag in [(accounts[0], TAG_A), (accounts[1], TAG_B), (accounts[2], TAG_A)]:
        client.call_tx(account, counter.functions.bump(tag))
    eth = client.w3.eth
    everything = eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": counter.address})
    assert [int.from_bytes(log["data"], "big") for log in everything] == [1, 2, 3]
    by_tag = eth.get_logs({"fromBlock": 0, "topics": [BUMPED, None, topic(TAG_A)]})
    assert len(by_tag) == 2
    either = eth.get_logs(
        {"fromBlock": 0, "topics": [None, [topic(bytes.fromhex(a.address[2:])) for a in accounts[:2]]]}
    )
    assert len(either) == 2
    assert eth.get_logs({"fromBlock": 0, "address": accounts[0].address}) == []
    first = everything[0]
    same_block = eth.get_logs({"blockHash": first["blockHash"]})
    assert same_block[0]["transactionHash"] == first["transactionHash"]
    assert eth.get_logs(
        {"fromBlock": first["blockNumber"] + 1, "toBlock": everything[-1]["blockNumber"]}
    ) == list(everything[1:])
    assert eth.get_logs({"fromBlock": eth.block_number + 5}) == []
    decoded = counter.events.Bumped().get_logs(from_block=0, argument_filters={"tag": TAG_B})
    assert [event["args"]["caller"] for event in decoded] == [accounts[1].address]


def test_call_revert_data(client: Client, counter: Contract, accounts: list[LocalAccount]) -> None:
    with pytest.raises(ContractLogicError, match="execution reverted: nope") as string_error:
        counter.functions.fail("nope").call()
    assert string_error.value.data is not None and str(string_error.value.data).startswith("0x08c379a0")
    with pytest.raises(ContractCustomError) as custom:
        counter.functions.failCustom(7).call()
    selector = Web3.keccak(text="NotPositive(uint256)")[:4].hex()
    assert str(custom.value.data) == "0x" + selector.removeprefix("0x") + (7).to_bytes(32, "big").hex()
    with pytest.raises(ContractLogicError, match="nope"):
        counter.functions.fail("nope").estimate_gas({"from": accounts[0].address})


def test_raw_revert_error_object(devnet: tuple[Devnet, str], counter: Contract) -> None:
    data = counter.functions.failCustom(1)._encode_transaction_data()
    call: dict[str, Any] = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "eth_call",
        "params": [{"to": counter.address, "data": data}, "latest"],
    }
    error = requests.post(devnet[1], json=call, timeout=10).json()["error"]
    assert error["code"] == 3 and error["message"] == "execution reverted"
    assert error["data"].startswith("0x") and len(error["data"]) == 2 + 2 * 36


def test_blocks_are_sealed_by_the_validator(
    devnet: tuple[Devnet, str], client: Client, counter: Contract
) -> None:
    handle, _ = devnet
    block = client.w3.eth.get_block("latest")
    assert recover_signer(block) == handle.config.validator_address
    assert header_hash(block) == bytes(block["hash"])  # every header field is served
    assert block["miner"].lower() == "0x" + handle.config.validator_address.hex()
    genesis = client.w3.eth.get_block(0)
    assert header_hash(genesis) == bytes(genesis["hash"])


def test_batch_requests_over_http(devnet: tuple[Devnet, str]) -> None:
    url = devnet[1]
    batch: list[dict[str, Any]] = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": "two", "method": "eth_blockNumber"},
        {"jsonrpc": "2.0", "method": "eth_blockNumber"},  # notification: no answer
        {"jsonrpc": "2.0", "id": 3, "method": "eth_noSuchMethod", "params": []},
        {"jsonrpc": "2.0", "id": 4, "method": "eth_getBalance", "params": ["0x1234"]},
    ]
    answers = requests.post(url, json=batch, timeout=10).json()
    assert [answer["id"] for answer in answers] == [1, "two", 3, 4]
    assert answers[0]["result"] == hex(1337)
    assert answers[2]["error"]["code"] == -32601
    assert answers[3]["error"]["code"] == -32602
    json_type = {"Content-Type": "application/json"}
    assert requests.post(url, data=b"{not json", headers=json_type, timeout=10).json()["error"]["code"] == -32700
    assert requests.post(url, json=[], timeout=10).json()["error"]["code"] == -32600


def test_node_facts(w3: Web3) -> None:
    assert w3.eth.chain_id == 1337
    assert w3.net.version == "1337"
    assert list(w3.eth.accounts) == []
    assert w3.eth.syncing is False
    assert w3.client_version.startswith("credtrace-devnet/")
    history = w3.eth.fee_history(4, "latest", [25.0, 75.0])
    assert len(history["baseFeePerGas"]) == len(history["gasUsedRatio"]) + 1
    assert w3.eth.max_priority_fee > 0 and w3.eth.gas_price > 0


def test_polling_filters(client: Client, counter: Contract, accounts: list[LocalAccount]) -> None:
    client.call_tx(accounts[0], counter.functions.bump(TAG_A))  # before the filters exist
    events = counter.events.Bumped.create_filter(from_block="latest", argument_filters={"tag": TAG_B})
    blocks = client.w3.eth.filter("latest")
    client.call_tx(accounts[0], counter.functions.bump(TAG_B))
    client.call_tx(accounts[0], counter.functions.bump(TAG_A))
    receipt = client.call_tx(accounts[1], counter.functions.bump(TAG_B))
    new = events.get_new_entries()
    assert [event["args"]["caller"] for event in new] == [accounts[0].address, accounts[1].address]
    assert events.get_new_entries() == []
    hashes: list[Any] = blocks.get_new_entries()
    assert len(hashes) == 3 and hashes[-1] == receipt["blockHash"]
    history = client.w3.eth.filter({"fromBlock": 0, "address": counter.address})
    assert len(history.get_all_entries()) == 4
    assert history.filter_id is not None and client.w3.eth.uninstall_filter(history.filter_id)


def test_a_client_gone_mid_request_is_no_traceback(devnet: tuple[Devnet, str], capfd: pytest.CaptureFixture[str],
                                                   w3: Web3) -> None:
    """A client killed mid-request (it said 100 bytes, sent 10, then reset the connection): the server
    notes it and goes on serving, without a traceback on stderr."""
    import socket
    import struct
    import time
    from urllib.parse import urlparse

    url = urlparse(devnet[1])
    with socket.create_connection((url.hostname, url.port)) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"jsonrpc")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
    time.sleep(0.3)  # the handler thread meets the reset
    assert w3.eth.block_number >= 0
    assert "Traceback" not in capfd.readouterr().err
