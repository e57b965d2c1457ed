"""Client of the ``ModelRegistry`` contract: a model serves decisions only once a regulator
has approved its id (the SHA-256 of its JSON artifact) on chain."""

from __future__ import annotations

import string
from dataclasses import dataclass

from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.reason import encode
from ledger.errors import LedgerError
from ledger.types import Address, ModelStatus

NAME = "ModelRegistry"


@dataclass(frozen=True)
class RegisteredModel:
    model_id: str
    status: ModelStatus
    registered_at: int
    approved_at: int
    retired_at: int
    report_hash: str
    registered_by: Address
    approved_by: Address


def id_bytes(text: str, what: str = "a model id") -> bytes:
    """64 hex digits (``0x`` optional), a SHA-256, as the contract's bytes32; LedgerError otherwise, so a
    caller can check an id before it opens a chain."""
    raw = text.removeprefix("0x")
    if len(raw) != 64 or not set(raw) <= set(string.hexdigits):
        raise LedgerError(f"{what} is 64 hex digits (a SHA-256), not {text[:80]!r}")
    return bytes.fromhex(raw)


class ModelRegistry:
    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    def register(self, by: TransactionSender, model_id: str, report_hash: str) -> TxReceipt:
        """The operator registers a model (ids as 64 hex)."""
        return self.contract.transact(by, "register", id_bytes(model_id), id_bytes(report_hash, "a report hash"))

    def approve(self, by: TransactionSender, model_id: str) -> TxReceipt:
        return self.contract.transact(by, "approve", id_bytes(model_id))

    def retire(self, by: TransactionSender, model_id: str, why: str) -> TxReceipt:
        return self.contract.transact(by, "retire", id_bytes(model_id), encode(why).raw)

    def is_servable(self, model_id: str) -> bool:
        return bool(self.contract.call("isServable", id_bytes(model_id)))

    def model(self, model_id: str) -> RegisteredModel:
        status, registered, approved, retired, report, by, approver = self.contract.call(
            "model", id_bytes(model_id))
        return RegisteredModel(model_id, ModelStatus(status), int(registered), int(approved), int(retired),
                               bytes(report).hex(), by, approver)
