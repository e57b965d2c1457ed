"""A small pure-Python model of LoanLedger's rules (contracts/LoanLedger.sol and its base LossSharing.sol),
written from the contracts' text for the stateful test (test_loan_stateful.py) to hold them against.

Every operation checks in the contract's order and raises :class:`Revert` with the name of the custom error
the contract must revert with, before it changes anything; the caller works on a copy (:func:`attempt`), so
a batch that fails part-way leaves nothing behind, as on chain. Integer arithmetic as the EVM does it: shares
in basis points floor-divided, caps per loan and per bank per calendar year (UTC), capped dues split in the
policy's proportions, pool draws that record a shortfall, the cumulative share-back of recoveries.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from ledger.contracts.loan_ledger import Claim, Decision, Loan, Policy, Pool
from ledger.types import LoanStatus, Role

S = LoanStatus
WHOLE = 10_000
MUNICIPAL = 0
DEFAULT_VALIDITY = 30 * 86_400
"""An approval's validity while no policy is set (``_finalise``)."""


class Revert(Exception):
    """The contract must revert with custom error ``error``."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def require(ok: bool, error: str) -> None:
    if not ok:
        raise Revert(error)


def year(t: int) -> int:
    """The calendar year (UTC) of Unix time ``t``: what ``LossSharing._year`` computes."""
    return datetime.fromtimestamp(t, UTC).year


@dataclass
class PoolState:
    deposits: int = 0
    paid: int = 0
    returned: int = 0
    balance: int = 0
    shortfall: int = 0

    def draw(self, due: int) -> int:
        """Pay ``due`` as far as the balance goes; the rest is shortfall."""
        paid = min(due, self.balance)
        self.balance -= paid
        self.paid += paid
        self.shortfall += due - paid
        return paid

    def give(self, amount: int) -> None:
        self.returned += amount
        self.balance += amount

    def view(self) -> Pool:
        return Pool(**vars(self))


@dataclass
class ClaimState:
    loss: int = 0
    municipal_due: int = 0
    district_due: int = 0
    municipal_paid: int = 0
    district_paid: int = 0
    municipal_returned: int = 0
    district_returned: int = 0
    recovered_after: int = 0

    def view(self) -> Claim:
        return Claim(**vars(self))


@dataclass
class LoanState:
    status: LoanStatus = S.APPLIED
    district: int = 0
    policy_version: int = 0
    days_past_due: int = 0
    valid_until: int = 0
    defaulted_at: int = 0
    principal: int = 0
    outstanding: int = 0
    repaid_principal: int = 0
    interest_paid: int = 0
    recovered: int = 0
    written_off: int = 0

    def view(self) -> Loan:
        return Loan(**vars(self))


@dataclass
class Entry:
    """One application: who asked, its loan, its claim, and the oracles' ballot."""

    bank: str
    subject: str
    amount: int
    loan: LoanState = field(default_factory=LoanState)
    claim: ClaimState = field(default_factory=ClaimState)
    votes: dict[str, int] = field(default_factory=dict)  # record hash -> votes
    voted: dict[str, str] = field(default_factory=dict)  # oracle -> record hash
    proposals: dict[str, Decision] = field(default_factory=dict)  # first submission per record hash
    decision: Decision | None = None


@dataclass
class Rules:
    roles: dict[str, Role]
    """Active participants (an exited one is removed): what ``ParticipantRegistry.hasRole`` answers."""
    consents: dict[str, tuple[str, str]]
    """Consent id -> (subject, bank) for the consents valid now."""
    servable: set[str]
    sanctioned: set[str] = field(default_factory=set)
    policies: list[Policy] = field(default_factory=list)
    pools: dict[int, PoolState] = field(default_factory=dict)
    committed: dict[tuple[str, int], int] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    # ---- roles, policy and pools (LossSharing) -------------------------------------------

    def only(self, who: str, role: Role) -> None:
        require(self.roles.get(who) is role, "NotAuthorized")

    def set_policy(self, who: str, p: Policy) -> None:
        self.only(who, Role.REGULATOR)
        require(p.municipal_bps + p.district_bps + p.bank_bps == WHOLE, "SharesNotWhole")
        require(p.subsidy_bps <= WHOLE, "SharesNotWhole")
        require(p.quorum > 0, "ZeroQuorum")
        require(p.approval_validity > 0 and p.claim_window > 0, "ZeroWindow")
        self.policies.append(p)

    def fund(self, who: str, pool: int, amount: int) -> None:
        self.only(who, Role.REGULATOR)
        require(amount > 0, "ZeroAmount")
        self.pool(pool).deposits += amount
        self.pool(pool).balance += amount

    def pool(self, pool: int) -> PoolState:
        return self.pools.setdefault(pool, PoolState())

    def policy(self, version: int) -> Policy:
        require(1 <= version <= len(self.policies), "UnknownPolicy")
        return self.policies[version - 1]

    def quorum(self) -> int:
        return self.policies[-1].quorum if self.policies else 1

    def dues(self, loss: int, p: Policy, bank: str, now: int) -> tuple[int, int]:
        """The government's shares of ``loss``, capped per loan and by what is left of the bank's year."""
        m, d = loss * p.municipal_bps // WHOLE, loss * p.district_bps // WHOLE
        left = max(p.bank_year_cap - self.committed.get((bank, year(now)), 0), 0)
        allowed = min(m + d, p.loan_cap, left)
        if allowed < m + d:
            d = min(allowed - allowed * p.municipal_bps // (p.municipal_bps + p.district_bps), d)
            m = allowed - d
        return m, d

    # ---- the bank asks, the oracles decide ------------------------------------------------

    def entry(self, app: int) -> Entry:
        require(1 <= app <= len(self.entries), "UnknownApplication")
        return self.entries[app - 1]

    def apply(self, who: str, subject: str, consent_id: str, amount: int, term: int) -> int:
        self.only(who, Role.BANK)
        require(amount > 0, "ZeroAmount")
        require(term > 0, "ZeroTerm")
        require(self.consents.get(consent_id) == (subject, who), "ConsentNotValid")
        self.entries.append(Entry(who, subject, amount))
        return len(self.entries)

    def decide_batch(self, who: str, decisions: list[Decision], now: int) -> None:
        self.only(who, Role.ORACLE)
        for d in decisions:
            self.vote(who, d, now)

    def vote(self, who: str, d: Decision, now: int) -> None:
        e = self.at(d.application_id, S.APPLIED)
        require(int(d.record_hash, 16) != 0, "EmptyRecordHash")
        require(d.model_id in self.servable, "ModelNotServable")
        if d.approve:
            require(e.subject not in self.sanctioned, "SanctionedSubject")
            require(0 < d.limit <= e.amount, "LimitOutOfRange")
        require(who not in e.voted, "AlreadyVoted")
        e.voted[who] = d.record_hash
        e.votes[d.record_hash] = e.votes.get(d.record_hash, 0) + 1
        require(e.proposals.setdefault(d.record_hash, d) == d, "DecisionMismatch")
        if e.votes[d.record_hash] >= self.quorum():
            self.finalise(e, d, now)

    def finalise(self, e: Entry, d: Decision, now: int) -> None:
        validity = self.policies[-1].approval_validity if self.policies else DEFAULT_VALIDITY
        e.decision = d
        e.loan.valid_until = now + validity if d.approve else 0
        e.loan.status = S.APPROVED if d.approve else S.DECLINED

    # ---- the loan, as its bank reports it ----------------------------------------------------

    def at(self, app: int, status: LoanStatus) -> Entry:
        e = self.entry(app)
        require(e.loan.status is status, "IllegalTransition")
        return e

    def banks(self, who: str, app: int, *statuses: LoanStatus) -> Entry:
        """Application ``app`` acted on by its own bank, its loan in one of ``statuses`` (any if none)."""
        e = self.entry(app)
        require(e.bank == who, "NotApplicationBank")
        require(not statuses or e.loan.status in statuses, "IllegalTransition")
        return e

    def disburse(self, who: str, app: int, amount: int, district: int, now: int) -> None:
        self.only(who, Role.BANK)
        e = self.banks(who, app, S.APPROVED)
        require(now <= e.loan.valid_until, "ApprovalExpired")
        require(amount > 0, "ZeroAmount")
        require(e.decision is not None and amount <= e.decision.limit, "OverLimit")
        require(district != MUNICIPAL, "InvalidDistrict")
        require(len(self.policies) > 0, "NoPolicy")
        loan = e.loan
        loan.principal = loan.outstanding = amount
        loan.district, loan.policy_version, loan.status = district, len(self.policies), S.DISBURSED

    def repay(self, who: str, app: int, principal: int, interest: int) -> None:
        loan = self.banks(who, app, S.DISBURSED, S.OVERDUE).loan
        require(principal + interest > 0, "ZeroAmount")
        require(principal <= loan.outstanding, "OverOutstanding")
        loan.outstanding -= principal
        loan.repaid_principal += principal
        loan.interest_paid += interest
        self.pool(loan.district).draw(interest * self.policy(loan.policy_version).subsidy_bps // WHOLE)
        if loan.outstanding == 0:
            loan.status = S.REPAID

    def mark_overdue(self, who: str, app: int, days: int) -> None:
        loan = self.banks(who, app, S.DISBURSED, S.OVERDUE).loan
        require(days > 0 or loan.status is S.OVERDUE, "IllegalTransition")
        loan.days_past_due = days
        loan.status = S.OVERDUE if days > 0 else S.DISBURSED

    def mark_default(self, who: str, app: int, days: int, now: int) -> None:
        loan = self.banks(who, app, S.OVERDUE).loan
        require(days > 0, "ZeroDaysPastDue")
        loan.days_past_due, loan.defaulted_at, loan.status = days, now, S.DEFAULTED

    def claim_compensation(self, who: str, app: int, now: int) -> None:
        e = self.banks(who, app, S.DEFAULTED)
        p = self.policy(e.loan.policy_version)
        require(now <= e.loan.defaulted_at + p.claim_window, "ClaimWindowClosed")
        c = e.claim
        c.loss = e.loan.outstanding
        c.municipal_due, c.district_due = self.dues(c.loss, p, who, now)
        key = (who, year(now))
        self.committed[key] = self.committed.get(key, 0) + c.municipal_due + c.district_due
        c.municipal_paid = self.pool(MUNICIPAL).draw(c.municipal_due)
        c.district_paid = self.pool(e.loan.district).draw(c.district_due)
        e.loan.status = S.COMPENSATED

    def recover(self, who: str, app: int, amount: int) -> None:
        e = self.banks(who, app, S.DEFAULTED, S.COMPENSATED)
        require(amount > 0, "ZeroAmount")
        require(amount <= e.loan.outstanding, "OverOutstanding")
        e.loan.outstanding -= amount
        e.loan.recovered += amount
        if e.loan.status is S.COMPENSATED:
            self.share_back(e, amount)

    def share_back(self, e: Entry, amount: int) -> None:
        """After recoveries R since the claim, each pool has had R * paid // loss back in all."""
        c = e.claim
        c.recovered_after += amount
        m = c.recovered_after * c.municipal_paid // c.loss - c.municipal_returned
        d = c.recovered_after * c.district_paid // c.loss - c.district_returned
        c.municipal_returned += m
        c.district_returned += d
        self.pool(MUNICIPAL).give(m)
        self.pool(e.loan.district).give(d)

    def write_off(self, who: str, app: int) -> None:
        loan = self.banks(who, app, S.DEFAULTED, S.COMPENSATED).loan
        require(loan.outstanding > 0, "ZeroAmount")
        loan.written_off, loan.outstanding, loan.status = loan.outstanding, 0, S.WRITTEN_OFF

    def close(self, who: str, app: int) -> None:
        loan = self.banks(who, app).loan
        settled = loan.status in (S.REPAID, S.WRITTEN_OFF, S.APPROVED, S.APPLIED)
        recovered = loan.status in (S.DEFAULTED, S.COMPENSATED) and loan.outstanding == 0
        require(settled or recovered, "IllegalTransition")
        loan.status = S.CLOSED


T = TypeVar("T")


def attempt(rules: Rules, op: Callable[[Rules], T]) -> tuple[Rules, T | None, str | None]:
    """Run ``op`` on a copy of ``rules``: (the new rules, its result, None), or (``rules``, None, the error)."""
    new = copy.deepcopy(rules)
    try:
        result = op(new)
    except Revert as revert:
        return rules, None, revert.error
    return new, result, None
