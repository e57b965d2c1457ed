"""Foundry's `cast` (pinned in tools/) against the devnet: deploy the registry, transact,
call, read logs and blocks. Proves the devnet speaks plain JSON-RPC, not just web3.py's."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from devnet import recover_signer
from ledger.chain import artifact

ORG, KEY = "0x" + "11" * 32, "0x" + "22" * 32
REGULATOR = "0x" + "33" * 20
"""The genesis regulator the registry's constructor needs (issue 12): any account will do here."""


@pytest.fixture
def cast(tools: Callable[[str], Path]) -> Callable[..., str]:
    def run(url: str, command: str, *args: str) -> str:
        done = subprocess.run(
            [str(tools("cast")), command, "--rpc-url", url, *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return run


def deploy_registry(cast: Callable[..., str], url: str, key: str) -> dict[str, str]:
    """`cast send --create` of the ParticipantRegistry artifact; the receipt as JSON."""
    code = "0x" + artifact.load("ParticipantRegistry").bytecode.hex()
    receipt: dict[str, str] = json.loads(
        cast(url, "send", "--private-key", key, "--json", "--create", code,
             "constructor(bytes32,bytes32,(address,uint8,bytes32,bytes32)[])", ORG, KEY, f"[({REGULATOR},7,{ORG},{KEY})]"))
    return receipt


def test_cast_deploys_transacts_calls_and_reads_logs(
    cast: Callable[..., str], devnet_url: str, devnet_pool: list[LocalAccount]
) -> None:
    operator, bank = devnet_pool.pop(), devnet_pool.pop()
    key = "0x" + bytes(operator.key).hex()
    deployed = deploy_registry(cast, devnet_url, key)
    assert deployed["status"] == "0x1"
    registry = deployed["contractAddress"]

    sent = json.loads(
        cast(
            devnet_url,
            "send",
            registry,
            "register(address,uint8,bytes32,bytes32)",
            bank.address,
            "4",
            ORG,
            KEY,
            "--private-key",
            key,
            "--json",
        )
    )
    assert sent["status"] == "0x1"
    assert cast(devnet_url, "call", registry, "hasRole(address,uint8)(bool)", bank.address, "4") == "true"
    assert cast(devnet_url, "call", registry, "hasRole(address,uint8)(bool)", bank.address, "7") == "false"

    logs = json.loads(
        cast(
            devnet_url,
            "logs",
            "--json",
            "--address",
            registry,
            "--from-block",
            "0",
            "ParticipantRegistered(address indexed,uint8 indexed,bytes32,bytes32,address)",
        )
    )
    accounts = ["0x" + log["topics"][1][-40:] for log in logs]
    assert [a.lower() for a in accounts] == [operator.address.lower(), REGULATOR, bank.address.lower()]
    assert logs[2]["transactionHash"] == sent["transactionHash"]

    block = json.loads(cast(devnet_url, "block", sent["blockNumber"], "--json"))
    assert len(bytes.fromhex(block["extraData"][2:])) == 97  # 32-byte vanity + 65-byte seal
    assert "0x" + recover_signer(block).hex() == block["miner"].lower()


def test_cast_sees_the_revert_data(
    cast: Callable[..., str], tools: Callable[[str], Path], devnet_url: str, devnet_pool: list[LocalAccount]
) -> None:
    operator, stranger = devnet_pool.pop(), devnet_pool.pop()
    registry = deploy_registry(cast, devnet_url, "0x" + bytes(operator.key).hex())["contractAddress"]
    done = subprocess.run(
        [
            str(tools("cast")),
            "call",
            "--rpc-url",
            devnet_url,
            "--from",
            stranger.address,
            registry,
            "register(address,uint8,bytes32,bytes32)",
            stranger.address,
            "4",
            ORG,
            KEY,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "0xc9bf8eee" in done.stderr.lower()  # the selector of NotAuthorized(address,uint8)
