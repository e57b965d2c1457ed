"""Permissioned admission: genesis allowlist, or active in a participant registry."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import requests
from devnet_support import Client, connect
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import Address

from devnet import Devnet, DevnetConfig
from devnet.admission import MAY_TRANSACT_SELECTOR, Admission
from devnet.errors import AdmissionError, ExecutionReverted

OUTSIDER = Account.from_key(b"\x42" * 32)
OUTSIDER_BYTES = bytes.fromhex(OUTSIDER.address[2:])
INSIDER = Address(b"\x01" * 20)
REGISTRY = Address(b"\x02" * 20)


def raw_transfer(chain_id: int, account: LocalAccount, nonce: int = 0) -> str:
    tx: dict[str, Any] = {
        "to": "0x" + "11" * 20, "value": 1, "gas": 21_000, "nonce": nonce,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, "chainId": chain_id,
    }  # fmt: skip
    return "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()


def send_raw(url: str, raw: str) -> dict[str, Any]:
    request: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [raw]}
    answer: dict[str, Any] = requests.post(url, json=request, timeout=10).json()
    return answer


def test_outsider_is_rejected_and_nothing_is_mined(devnet: tuple[Devnet, str], client: Client) -> None:
    url = devnet[1]
    height = client.w3.eth.block_number
    answer = send_raw(url, raw_transfer(1337, OUTSIDER))
    error = answer["error"]
    assert isinstance(error, dict) and error["code"] == -32003
    assert error["message"].startswith(f"sender {OUTSIDER.address} is not admitted")
    assert "not on the genesis allowlist and not a participant who may transact" in error["message"]
    assert client.w3.eth.block_number == height
    assert client.w3.eth.get_transaction_count(OUTSIDER.address, "pending") == 0


def test_registry_admits_active_participants(config: DevnetConfig, accounts: list[LocalAccount]) -> None:
    located: list[str] = []
    registry_locator = lambda: bytes.fromhex(located[0][2:]) if located else None  # noqa: E731
    with Devnet(config, registry_locator=registry_locator).serving() as url:
        client = Client(connect(url))
        registry = client.deploy(accounts[0], "registry")
        located.append(registry.address)
        assert "error" in send_raw(url, raw_transfer(1337, OUTSIDER))
        client.call_tx(accounts[0], registry.functions.setActive(OUTSIDER.address, True))
        client.transact(accounts[0], {"to": OUTSIDER.address, "value": 10**18, "gas": 21_000})
        answer = send_raw(url, raw_transfer(1337, OUTSIDER))
        assert "result" in answer, answer
        assert client.wait(bytes.fromhex(str(answer["result"])[2:]))["status"] == 1
        client.call_tx(accounts[0], registry.functions.setActive(OUTSIDER.address, False))
        assert send_raw(url, raw_transfer(1337, OUTSIDER, nonce=1))["error"]["code"] == -32003


def test_static_registry_address_from_config(config: DevnetConfig) -> None:
    with_registry = dataclasses.replace(config, registry_address=REGISTRY)
    with Devnet(with_registry).serving() as url:  # no code at REGISTRY: nobody extra is active
        assert send_raw(url, raw_transfer(1337, OUTSIDER))["error"]["code"] == -32003


# -- the Admission rule on its own ----------------------------------------------------------


def test_allowlisted_sender_needs_no_registry() -> None:
    def call(to: Address, data: bytes) -> bytes:
        raise AssertionError("registry must not be consulted")

    Admission([INSIDER], lambda: REGISTRY).check(INSIDER, call)


@pytest.mark.parametrize(
    ("answer", "admitted"),
    [((1).to_bytes(32, "big"), True), (bytes(32), False), (b"", False)],
)
def test_registry_answer_decides(answer: bytes, admitted: bool) -> None:
    calls: list[tuple[Address, bytes]] = []

    def call(to: Address, data: bytes) -> bytes:
        calls.append((to, data))
        return answer

    admission = Admission([], lambda: REGISTRY)
    if admitted:
        admission.check(Address(OUTSIDER_BYTES), call)
    else:
        with pytest.raises(AdmissionError):
            admission.check(Address(OUTSIDER_BYTES), call)
    assert calls == [(REGISTRY, MAY_TRANSACT_SELECTOR + OUTSIDER_BYTES.rjust(32, b"\0"))]


def test_reverting_registry_denies() -> None:
    def call(to: Address, data: bytes) -> bytes:
        raise ExecutionReverted("execution reverted", data="0x")

    with pytest.raises(AdmissionError, match="not admitted"):
        Admission([], lambda: REGISTRY).check(Address(OUTSIDER_BYTES), call)


def test_without_registry_message_says_so() -> None:
    with pytest.raises(AdmissionError, match="no participant registry configured"):
        Admission([], lambda: None).check(Address(OUTSIDER_BYTES), lambda to, data: b"")
