"""``evm_increaseTime``: the chain's clock moves forward on a node that allows it, keeps its offset across
a restart, never runs backwards, and is not served on a node that does not allow it."""

from __future__ import annotations

import dataclasses
import time

import requests
from devnet_support import Client, connect
from eth_account.signers.local import LocalAccount

from devnet import Devnet, DevnetConfig

YEAR = 365 * 86_400


def rpc(url: str, method: str, *params: object) -> dict[str, object]:
    answer: dict[str, object] = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                                         "params": list(params)}, timeout=30).json()
    return answer


def mined_at(url: str, account: LocalAccount) -> int:
    client = Client(connect(url))
    receipt = client.transact(account, {"to": account.address, "value": 0})
    return int(client.w3.eth.get_block(receipt["blockNumber"])["timestamp"])


def test_the_clock_moves_forward_survives_a_restart_and_never_runs_back(
        config: DevnetConfig, accounts: list[LocalAccount]) -> None:
    travelling = dataclasses.replace(config, time_travel=True)
    with Devnet(travelling).serving() as url:
        assert rpc(url, "evm_increaseTime", YEAR)["result"] == YEAR
        assert rpc(url, "evm_increaseTime", "0x3c")["result"] == YEAR + 60
        assert mined_at(url, accounts[0]) >= time.time() + YEAR + 60 - 5
        refused = rpc(url, "evm_increaseTime", -1)["error"]
        assert isinstance(refused, dict) and refused["code"] == -32602 and "forward" in str(refused["message"])
    with Devnet(travelling).serving() as url:  # restarted: the chain's calendar goes on where it was
        assert mined_at(url, accounts[1]) >= time.time() + YEAR + 60 - 5


def test_a_node_that_does_not_allow_time_travel_does_not_serve_it(
        config: DevnetConfig, accounts: list[LocalAccount]) -> None:
    with Devnet(config).serving() as url:
        refused = rpc(url, "evm_increaseTime", YEAR)["error"]
        assert isinstance(refused, dict) and refused["code"] == -32601
        assert mined_at(url, accounts[0]) <= time.time() + 5
