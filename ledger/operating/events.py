"""LoanLedger's events as typed records: what the operating ledger is folded from.

One frozen dataclass per event of contracts/LoanLedger.sol and its base LossSharing.sol, holding the
arguments the ledger uses (a subject's pseudonym, a consent id or a record hash never reaches a
figure, so it is not kept). :func:`decoded` turns web3's decoded arguments into one; it is pure, so
the fold's tests build these records by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.contracts.loan_ledger import Policy
from ledger.types import Address, LoanStatus


@dataclass(frozen=True)
class Applied:
    application_id: int
    bank: Address
    amount: int


@dataclass(frozen=True)
class DecisionSubmitted:
    """One oracle's vote; the ledger counts decisions, not votes, but reads it for completeness."""

    application_id: int
    oracle: Address
    votes: int


@dataclass(frozen=True)
class Decided:
    application_id: int
    approved: bool
    limit: int


@dataclass(frozen=True)
class Disbursed:
    application_id: int
    bank: Address
    amount: int
    district: int
    policy_version: int


@dataclass(frozen=True)
class Repaid:
    application_id: int
    principal: int
    interest: int
    outstanding: int


@dataclass(frozen=True)
class Subsidised:
    """The district's interest subsidy on one repayment (贴息): paid from its pool, and what it lacked."""

    application_id: int
    district: int
    amount: int
    shortfall: int


@dataclass(frozen=True)
class MarkedOverdue:
    application_id: int
    days_past_due: int


@dataclass(frozen=True)
class Defaulted:
    application_id: int
    days_past_due: int
    outstanding: int


@dataclass(frozen=True)
class Compensated:
    application_id: int
    district: int
    loss: int
    municipal_paid: int
    district_paid: int
    municipal_shortfall: int
    district_shortfall: int


@dataclass(frozen=True)
class Recovered:
    application_id: int
    amount: int
    municipal_returned: int
    district_returned: int
    outstanding: int


@dataclass(frozen=True)
class WrittenOff:
    application_id: int
    amount: int


@dataclass(frozen=True)
class StatusChanged:
    application_id: int
    before: LoanStatus
    after: LoanStatus


@dataclass(frozen=True)
class PolicySet:
    version: int
    policy: Policy


@dataclass(frozen=True)
class PoolFunded:
    pool: int
    amount: int
    balance: int
    """The pool's balance after the deposit, as the contract counts it."""


Event = (Applied | DecisionSubmitted | Decided | Disbursed | Repaid | Subsidised | MarkedOverdue | Defaulted
         | Compensated | Recovered | WrittenOff | StatusChanged | PolicySet | PoolFunded)

_Args = Mapping[str, Any]
_DECODERS: dict[str, Callable[[_Args], Event]] = {
    "Applied": lambda a: Applied(int(a["applicationId"]), a["bank"], int(a["amount"])),
    "DecisionSubmitted": lambda a: DecisionSubmitted(int(a["applicationId"]), a["oracle"], int(a["votes"])),
    "Decided": lambda a: Decided(int(a["applicationId"]), bool(a["approved"]), int(a["limit"])),
    "Disbursed": lambda a: Disbursed(int(a["applicationId"]), a["bank"], int(a["amount"]), int(a["district"]),
                                     int(a["policyVersion"])),
    "Repaid": lambda a: Repaid(*_ints(a, "applicationId", "principal", "interest", "outstanding")),
    "Subsidised": lambda a: Subsidised(*_ints(a, "applicationId", "district", "amount", "shortfall")),
    "MarkedOverdue": lambda a: MarkedOverdue(*_ints(a, "applicationId", "daysPastDue")),
    "Defaulted": lambda a: Defaulted(*_ints(a, "applicationId", "daysPastDue", "outstanding")),
    "Compensated": lambda a: Compensated(*_ints(a, "applicationId", "district", "loss", "municipalPaid",
                                                "districtPaid", "municipalShortfall", "districtShortfall")),
    "Recovered": lambda a: Recovered(*_ints(a, "applicationId", "amount", "municipalReturned", "districtReturned",
                                            "outstanding")),
    "WrittenOff": lambda a: WrittenOff(*_ints(a, "applicationId", "amount")),
    "StatusChanged": lambda a: StatusChanged(int(a["applicationId"]), LoanStatus(a["from"]), LoanStatus(a["to"])),
    "PolicySet": lambda a: PolicySet(int(a["version"]), _policy(a["policy"])),
    "PoolFunded": lambda a: PoolFunded(*_ints(a, "pool", "amount", "balance")),
}
NAMES = tuple(_DECODERS)
"""Every event the ledger reads, by its Solidity name."""


def decoded(name: str, args: _Args) -> Event:
    """The record of event ``name`` from its decoded arguments (ABI names, as web3 gives them)."""
    return _DECODERS[name](args)


def _ints(args: _Args, *names: str) -> list[int]:
    return [int(args[n]) for n in names]


def _policy(raw: Any) -> Policy:
    """The ``Policy`` struct, which web3 decodes as a tuple (or a mapping by field, in some versions)."""
    values = raw.values() if isinstance(raw, Mapping) else raw
    return Policy(*(int(v) for v in values))
