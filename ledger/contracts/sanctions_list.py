"""Client of the ``SanctionsList`` contract (seeds R9, joint punishment)."""

from __future__ import annotations

from dataclasses import dataclass

from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.participant_registry import reason

NAME = "SanctionsList"


@dataclass(frozen=True)
class Sanction:
    active: bool
    since: int
    reason: str
    by: str


class SanctionsList:
    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    def sanction(self, by: TransactionSender, subject: str, why: str) -> TxReceipt:
        """List the enterprise with pseudonym ``subject`` (64 hex); a regulator acts."""
        return self.contract.transact(by, "sanction", bytes.fromhex(subject), reason(why))

    def lift(self, by: TransactionSender, subject: str, why: str) -> TxReceipt:
        return self.contract.transact(by, "lift", bytes.fromhex(subject), reason(why))

    def is_sanctioned(self, subject: str) -> bool:
        return bool(self.contract.call("isSanctioned", bytes.fromhex(subject)))

    def sanction_of(self, subject: str) -> Sanction:
        active, since, why, by = self.contract.call("sanctionOf", bytes.fromhex(subject))
        return Sanction(bool(active), int(since), bytes(why).rstrip(b"\0").decode(errors="replace"), str(by))
