"""The ledger's vocabulary: addresses, roles and statuses as the contracts define them."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, NewType

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

    Address = ChecksumAddress
else:
    Address = str  # what it is at run time; importing eth_typing would cost every command 65 ms of start-up
"""An EIP-55 checksummed account address (eth_typing's ``ChecksumAddress``)."""

OrgId = NewType("OrgId", bytes)
"""32 bytes naming an organisation on chain (a hash, never a raw identifier)."""


def camel(name: str) -> str:
    """A Python field's name as the contracts and every JSON output spell it: ``application_id`` →
    ``applicationId``, ``pd_ppm`` → ``pdPpm``."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


class Role(IntEnum):
    """``ParticipantRegistry.Role``; values are the Solidity enum's ordinals."""

    NONE = 0
    OPERATOR = 1
    PROVIDER = 2
    ENTERPRISE = 3
    BANK = 4
    ORACLE = 5
    AUDITOR = 6
    REGULATOR = 7


class Status(IntEnum):
    """``ParticipantRegistry.Status``; values are the Solidity enum's ordinals."""

    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    EXITED = 3


class ModelStatus(IntEnum):
    """``ModelRegistry.Status``."""

    NONE = 0
    REGISTERED = 1
    APPROVED = 2
    RETIRED = 3


class LoanStatus(IntEnum):
    """``LoanLedger.Status``: where an application and its loan stand (the state machine in
    contracts/LoanLedger.sol)."""

    NONE = 0
    APPLIED = 1
    DECLINED = 2
    APPROVED = 3
    DISBURSED = 4
    OVERDUE = 5
    DEFAULTED = 6
    COMPENSATED = 7
    REPAID = 8
    WRITTEN_OFF = 9
    CLOSED = 10


CONTRACT_ENUMS: dict[str, type[IntEnum]] = {
    "enum ParticipantRegistry.Role": Role,
    "enum ParticipantRegistry.Status": Status,
    "enum ModelRegistry.Status": ModelStatus,
    "enum LoanLedger.Status": LoanStatus,
}
"""ABI ``internalType`` → Python enum, so decoded arguments read as names."""
