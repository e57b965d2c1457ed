"""The fold: LoanLedger's events, in chain order, into the operating ledger's figures. Pure.

Each application's history is replayed into one :class:`_Loan`; a loan's :class:`Book` is read off it
at the end, and a group's figures are the sum of its loans'. Pools are replayed beside them. Where an
event restates what the fold already knows (a status's previous value, the outstanding after a
repayment, a pool's balance after a deposit), the two must agree, else :class:`EventsDisagree`: a
missed block range or a contract that broke its own rules shows here as soon as a later event restates
what was missed, rather than as a wrong figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.contracts.loan_ledger import MUNICIPAL, Policy
from ledger.operating import events as ev
from ledger.operating.errors import EventsDisagree
from ledger.operating.figures import (
    NPL_DAYS,
    BankRow,
    Book,
    DistrictRow,
    Pipeline,
    PoolFigures,
    Report,
    Source,
)
from ledger.types import Address, LoanStatus

_IN_DEFAULT = (LoanStatus.DEFAULTED, LoanStatus.COMPENSATED)


@dataclass
class _Loan:
    """One application as its events tell it; ``flows`` holds the additive figures by Book field name."""

    bank: Address
    status: LoanStatus = LoanStatus.NONE
    decision: bool | None = None
    limit: int = 0
    district: int | None = None
    outstanding: int = 0
    days_past_due: int = 0
    flows: dict[str, int] = field(default_factory=dict)

    def add(self, **amounts: int) -> None:
        for name, amount in amounts.items():
            self.flows[name] = self.flows.get(name, 0) + amount

    def pipeline(self) -> Pipeline:
        approved = self.decision is True
        return Pipeline(1, int(approved), int(self.decision is False), self.limit if approved else 0)

    def book(self) -> Book:
        overdue = self.status == LoanStatus.OVERDUE
        in_default = self.status in _IN_DEFAULT
        npl = in_default or (overdue and self.days_past_due > NPL_DAYS)
        owed = self.outstanding
        return Book(outstanding=owed, overdue_loans=int(overdue), overdue=owed * overdue,
                    defaulted_loans=int(in_default), defaulted=owed * in_default, npl_loans=int(npl),
                    npl=owed * npl, **self.flows)


@dataclass
class _Pool:
    deposits: int = 0
    compensation: int = 0
    subsidies: int = 0
    returned: int = 0
    shortfall: int = 0

    def figures(self, pool: int) -> PoolFigures:
        return PoolFigures(pool, self.deposits, self.compensation, self.subsidies, self.returned, self.shortfall)


@dataclass
class _State:
    loans: dict[int, _Loan] = field(default_factory=dict)
    pools: dict[int, _Pool] = field(default_factory=dict)
    policies: list[tuple[int, Policy]] = field(default_factory=list)

    def loan(self, application_id: int) -> _Loan:
        if application_id not in self.loans:
            raise EventsDisagree(f"application {application_id} has events but no Applied event")
        return self.loans[application_id]

    def pool(self, pool: int) -> _Pool:
        return self.pools.setdefault(pool, _Pool())


def fold(events: Iterable[ev.Event], source: Source) -> Report:
    """The figures of ``events`` (every LoanLedger event of ``source``, in chain order)."""
    state = _State()
    for event in events:
        _STEPS[type(event)](state, event)
    return _report(state, source)


def _report(state: _State, source: Source) -> Report:
    banks: dict[Address, list[_Loan]] = {}
    districts: dict[int, list[_Loan]] = {}
    for loan in state.loans.values():
        banks.setdefault(loan.bank, []).append(loan)
        if loan.district is not None:
            districts.setdefault(loan.district, []).append(loan)
    loans = list(state.loans.values())
    return Report(
        source,
        tuple(BankRow(bank, _pipeline(group), _book(group)) for bank, group in banks.items()),
        tuple(DistrictRow(code, _book(districts[code])) for code in sorted(districts)),
        tuple(f for p in sorted(state.pools) if _moved(f := state.pools[p].figures(p))),  # MUNICIPAL (0) first
        tuple(state.policies), _pipeline(loans), _book(loans))


def _moved(pool: PoolFigures) -> bool:
    """Whether money went in, out or fell short (a recovery on an uncompensated loan names no pool's money)."""
    return any((pool.deposits, pool.paid, pool.returned, pool.shortfall))


def _pipeline(loans: list[_Loan]) -> Pipeline:
    return sum((loan.pipeline() for loan in loans), Pipeline())


def _book(loans: list[_Loan]) -> Book:
    return sum((loan.book() for loan in loans), Book())


# ---- one step per event ------------------------------------------------------------------------


def _applied(s: _State, e: ev.Applied) -> None:
    if e.application_id in s.loans:
        raise EventsDisagree(f"application {e.application_id} was applied for twice")
    s.loans[e.application_id] = _Loan(e.bank)


def _decided(s: _State, e: ev.Decided) -> None:
    loan = s.loan(e.application_id)
    loan.decision, loan.limit = e.approved, e.limit


def _disbursed(s: _State, e: ev.Disbursed) -> None:
    loan = s.loan(e.application_id)
    loan.district, loan.outstanding = e.district, e.amount
    loan.add(loans=1, disbursed=e.amount)


def _repaid(s: _State, e: ev.Repaid) -> None:
    loan = _settled(s, e.application_id, e.principal, e.outstanding, "a repayment")
    loan.add(repaid_principal=e.principal, interest=e.interest)


def _subsidised(s: _State, e: ev.Subsidised) -> None:
    s.loan(e.application_id).add(subsidy=e.amount, subsidy_shortfall=e.shortfall)
    pool = s.pool(e.district)
    pool.subsidies += e.amount
    pool.shortfall += e.shortfall


def _marked_overdue(s: _State, e: ev.MarkedOverdue) -> None:
    s.loan(e.application_id).days_past_due = e.days_past_due


def _defaulted(s: _State, e: ev.Defaulted) -> None:
    loan = _settled(s, e.application_id, 0, e.outstanding, "the default")
    loan.days_past_due = e.days_past_due
    loan.add(defaults=1, defaulted_at_default=e.outstanding)


def _compensated(s: _State, e: ev.Compensated) -> None:
    s.loan(e.application_id).add(compensated_loans=1, loss=e.loss, municipal_paid=e.municipal_paid,
                                 district_paid=e.district_paid, municipal_shortfall=e.municipal_shortfall,
                                 district_shortfall=e.district_shortfall)
    for pool, paid, short in ((MUNICIPAL, e.municipal_paid, e.municipal_shortfall),
                              (e.district, e.district_paid, e.district_shortfall)):
        s.pool(pool).compensation += paid
        s.pool(pool).shortfall += short


def _recovered(s: _State, e: ev.Recovered) -> None:
    loan = _settled(s, e.application_id, e.amount, e.outstanding, "a recovery")
    loan.add(recovered=e.amount, municipal_returned=e.municipal_returned, district_returned=e.district_returned)
    s.pool(MUNICIPAL).returned += e.municipal_returned
    if loan.district is not None:
        s.pool(loan.district).returned += e.district_returned


def _written_off(s: _State, e: ev.WrittenOff) -> None:
    loan = _settled(s, e.application_id, e.amount, 0, "the write-off")
    loan.add(written_off_loans=1, written_off=e.amount)


def _status_changed(s: _State, e: ev.StatusChanged) -> None:
    loan = s.loan(e.application_id)
    if loan.status != e.before:
        raise EventsDisagree(f"application {e.application_id} moved from {e.before.name}, "
                             f"but its events left it {loan.status.name}")
    loan.status = e.after


def _policy_set(s: _State, e: ev.PolicySet) -> None:
    s.policies.append((e.version, e.policy))


def _pool_funded(s: _State, e: ev.PoolFunded) -> None:
    pool = s.pool(e.pool)
    pool.deposits += e.amount
    if pool.figures(e.pool).balance != e.balance:
        raise EventsDisagree(f"pool {e.pool} holds {e.balance} fen after a deposit, "
                             f"its events say {pool.figures(e.pool).balance}")


def _settled(s: _State, application_id: int, less: int, after: int, what: str) -> _Loan:
    """The loan, its outstanding reduced by ``less``, which must leave what the event says (``after``)."""
    loan = s.loan(application_id)
    if loan.outstanding - less != after:
        raise EventsDisagree(f"application {application_id} has {after} fen outstanding after {what}, "
                             f"its events say {loan.outstanding - less}")
    loan.outstanding = after
    return loan


def _ignored(s: _State, e: Any) -> None:
    """DecisionSubmitted: votes; the decision that counts is the final one (Decided)."""


_STEPS: dict[type, Callable[[_State, Any], None]] = {
    ev.Applied: _applied, ev.DecisionSubmitted: _ignored, ev.Decided: _decided, ev.Disbursed: _disbursed,
    ev.Repaid: _repaid, ev.Subsidised: _subsidised, ev.MarkedOverdue: _marked_overdue, ev.Defaulted: _defaulted,
    ev.Compensated: _compensated, ev.Recovered: _recovered, ev.WrittenOff: _written_off,
    ev.StatusChanged: _status_changed, ev.PolicySet: _policy_set, ev.PoolFunded: _pool_funded,
}
