"""Client of the ``ParticipantRegistry`` contract (contracts/ParticipantRegistry.sol)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.reason import encode
from ledger.errors import LedgerError
from ledger.types import Address, OrgId, Role, Status

NAME = "ParticipantRegistry"


@dataclass(frozen=True)
class Participant:
    account: Address
    role: Role
    status: Status
    registered_at: int
    org_id: OrgId
    signing_key: bytes
    """Ed25519 public key, 32 bytes."""


@dataclass(frozen=True)
class Proposal:
    """A proposed regulator or auditor; ``approvals`` counts only still-active regulators."""

    id: int
    account: Address
    role: Role
    org_id: OrgId
    signing_key: bytes
    proposer: Address
    enacted: bool
    approvals: int


def key_as_of(history: list[tuple[int, bytes]], block: int) -> bytes:
    """The key in force at ``block``: the last one registered or rotated to at or before it."""
    known = [key for mined, key in history if mined <= block]
    if not known:
        raise LookupError(f"no signing key was registered at block {block}")
    return known[-1]


class ParticipantRegistry:
    """Reads need only the contract; writes name the participant who acts."""

    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    # ---- reads ------------------------------------------------------------------------

    def has_role(self, account: Address, role: Role) -> bool:
        return bool(self.contract.call("hasRole", account, int(role)))

    def is_active(self, account: Address) -> bool:
        return bool(self.contract.call("isActive", account))

    def may_transact(self, account: Address) -> bool:
        """What the devnet's admission asks: active, or an exited bank running off its loans (R8)."""
        return bool(self.contract.call("mayTransact", account))

    def participant(self, account: Address) -> Participant:
        role, status, registered_at, org, key = self.contract.call("participant", account)
        return Participant(account, Role(role), Status(status), registered_at, OrgId(org), key)

    def signing_key_at(self, account: Address, block: int) -> bytes:
        """The Ed25519 key ``account`` had registered as of ``block`` (LookupError if none)."""
        return key_as_of(self.key_history(account), block)

    def key_history(self, account: Address) -> list[tuple[int, bytes]]:
        """(block, key) of the registration and every rotation, in chain order, from the events."""
        found = [(log["blockNumber"], log["logIndex"], bytes(log["args"]["signingKey"]))
                 for log in self.contract.event("ParticipantRegistered").get_logs(
                     from_block=0, argument_filters={"account": account})]
        found += [(log["blockNumber"], log["logIndex"], bytes(log["args"]["newKey"]))
                  for log in self.contract.event("SigningKeyRotated").get_logs(
                      from_block=0, argument_filters={"account": account})]
        return [(int(block), key) for block, _, key in sorted(found)]

    def participants(self) -> list[Participant]:
        count = int(self.contract.call("participantCount"))
        accounts = [self.contract.call("participantAt", i) for i in range(count)]
        return [self.participant(cast(Address, a)) for a in accounts]

    def proposal(self, proposal_id: int) -> Proposal:
        (account, role, org, key), proposer, enacted = self.contract.call("proposal", proposal_id)
        approvals = int(self.contract.call("approvals", proposal_id))
        return Proposal(proposal_id, account, Role(role), OrgId(org), key, proposer, enacted, approvals)

    def proposals(self) -> list[Proposal]:
        return [self.proposal(i) for i in range(int(self.contract.call("proposalCount")))]

    def open_proposal(self, account: Address) -> Proposal:
        """The latest proposal, not yet enacted, to appoint ``account`` (LedgerError if none)."""
        found = [p for p in self.proposals() if p.account == account and not p.enacted]
        if not found:
            raise LedgerError(f"no open proposal appoints {account}")
        return found[-1]

    def approvals_needed(self) -> int:
        """A strict majority of the regulators active now."""
        return int(self.contract.call("approvalsNeeded"))

    def owner(self) -> Address:
        return cast(Address, self.contract.call("owner"))

    def pending_owner(self) -> Address:
        return cast(Address, self.contract.call("pendingOwner"))

    # ---- writes -----------------------------------------------------------------------

    def register(
        self, by: TransactionSender, account: Address, role: Role, org: OrgId, signing_key: bytes
    ) -> TxReceipt:
        return self.contract.transact(by, "register", account, int(role), org, signing_key)

    def propose_appointment(
        self, by: TransactionSender, account: Address, role: Role, org: OrgId, signing_key: bytes
    ) -> TxReceipt:
        """A regulator proposes a regulator or auditor (its own approval counts)."""
        return self.contract.transact(by, "proposeAppointment", account, int(role), org, signing_key)

    def approve_appointment(self, by: TransactionSender, proposal_id: int) -> TxReceipt:
        return self.contract.transact(by, "approveAppointment", proposal_id)

    def exit(self, by: TransactionSender, account: Address, why: str) -> TxReceipt:
        return self.contract.transact(by, "exit", account, encode(why).raw)

    def suspend(self, by: TransactionSender, account: Address, why: str) -> TxReceipt:
        return self.contract.transact(by, "suspend", account, encode(why).raw)

    def reinstate(self, by: TransactionSender, account: Address, why: str) -> TxReceipt:
        return self.contract.transact(by, "reinstate", account, encode(why).raw)

    def rotate_signing_key(self, by: TransactionSender, new_key: bytes) -> TxReceipt:
        return self.contract.transact(by, "rotateSigningKey", new_key)

    def transfer_ownership(self, by: TransactionSender, new_owner: Address) -> TxReceipt:
        return self.contract.transact(by, "transferOwnership", new_owner)

    def accept_ownership(self, by: TransactionSender) -> TxReceipt:
        return self.contract.transact(by, "acceptOwnership")
