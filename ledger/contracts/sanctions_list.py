"""Client of the ``SanctionsList`` contract (seeds R9, joint punishment)."""

from __future__ import annotations

from dataclasses import dataclass

from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.reason import Reason, decode, encode

NAME = "SanctionsList"


@dataclass(frozen=True)
class SanctionChange:
    """One listing or lift, from the contract's events."""

    listed: bool
    block: int
    time: int
    """The block's Unix time."""
    reason: Reason
    by: str


class SanctionsList:
    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    def sanction(self, by: TransactionSender, subject: str, why: str) -> TxReceipt:
        """List the enterprise with pseudonym ``subject`` (64 hex); a regulator acts."""
        return self.contract.transact(by, "sanction", bytes.fromhex(subject), encode(why).raw)

    def lift(self, by: TransactionSender, subject: str, why: str) -> TxReceipt:
        return self.contract.transact(by, "lift", bytes.fromhex(subject), encode(why).raw)

    def is_sanctioned(self, subject: str) -> bool:
        return bool(self.contract.call("isSanctioned", bytes.fromhex(subject)))

    def history(self, subject: str) -> list[SanctionChange]:
        """Every listing and lift of ``subject``, in chain order."""
        found = [(log["blockNumber"], log["logIndex"], name == "Sanctioned", log["args"])
                 for name in ("Sanctioned", "Lifted")
                 for log in self.contract.event(name).get_logs(
                     from_block=0, argument_filters={"subject": bytes.fromhex(subject)})]
        return [SanctionChange(listed, int(block), self._time(int(block)), decode(bytes(args["reason"])),
                               str(args["by"])) for block, _, listed, args in sorted(found)]

    def _time(self, block: int) -> int:
        return int(self.contract.chain.web3.eth.get_block(block)["timestamp"])
