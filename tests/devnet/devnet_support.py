"""Helpers shared by the devnet tests (imported by name: see conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import TxReceipt

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def artifact(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())  # type: ignore[no-any-return]


def connect(url: str) -> Web3:
    """A web3 client for a PoA chain (extraData longer than 32 bytes)."""
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


class Client:
    """Signs locally and waits for receipts: what an application does."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3

    def send(self, account: LocalAccount, tx: dict[str, Any]) -> bytes:
        tx.setdefault("from", account.address)
        tx.setdefault("nonce", self.w3.eth.get_transaction_count(account.address, "pending"))
        tx.setdefault("chainId", self.w3.eth.chain_id)
        if "gas" not in tx:
            tx["gas"] = self.w3.eth.estimate_gas(tx)  # type: ignore[arg-type]
        tx.setdefault("maxFeePerGas", 10**10)
        tx.setdefault("maxPriorityFeePerGas", 10**9)
        return bytes(self.w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction))

    def wait(self, tx_hash: bytes) -> TxReceipt:
        return self.w3.eth.wait_for_transaction_receipt(HexBytes(tx_hash), timeout=30, poll_latency=0.02)

    def transact(self, account: LocalAccount, tx: dict[str, Any]) -> TxReceipt:
        return self.wait(self.send(account, tx))

    def deploy(self, account: LocalAccount, name: str) -> Contract:
        spec = artifact(name)
        factory = self.w3.eth.contract(abi=spec["abi"], bytecode=spec["bytecode"])
        receipt = self.transact(account, {"data": factory.bytecode})
        assert receipt["status"] == 1 and receipt["contractAddress"]
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=spec["abi"])

    def call_tx(self, account: LocalAccount, function: Any) -> TxReceipt:
        """Send a contract function call as a transaction and wait for it."""
        return self.transact(account, {"to": function.address, "data": function._encode_transaction_data()})
