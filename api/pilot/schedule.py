"""A loan's life as its bank reports it, decided at disbursement: pure. Each act carries the state the
loan is in after it, so a stage redone after a crash finds where the chain is in the script (the loan's
state is one of them) and goes on from the next act: nothing is reported twice.

A performing loan repays equal principal each month with a month's interest on what is outstanding (the
district pays ``subsidy_bps`` of it, on chain). An enterprise in trouble (its hidden health's default)
stops paying: 30 then 60 days past due, defaulted at 95 with the bank's compensation claim the same
month, and a recovery of part of the loss two months later, shared back with the pools (清偿).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.types import LoanStatus

State = tuple[LoanStatus, int, int, int, int]
"""(status, outstanding, interest paid, recovered, days past due): what the chain's ``Loan`` shows."""


@dataclass(frozen=True)
class Act:
    month: int
    operation: str
    """A ``LoanLedger`` function name."""
    args: tuple[int, ...]
    """After the application id."""
    after: State


def script(principal: int, rate_bps: int, term: int, disbursed: int, trouble: int | None,
           recovery_share: float) -> list[Act]:
    """The acts after disbursement in month ``disbursed``; ``trouble``: the month payments stop, if any."""
    acts: list[Act] = []
    outstanding, interest_paid = principal, 0
    stop = None if trouble is None else max(trouble, disbursed + 1)
    for k in range(1, term + 1):
        month = disbursed + k
        if stop is not None and month >= stop:
            return acts + _default(stop, outstanding, interest_paid, recovery_share)
        part = principal // term if k < term else outstanding
        interest = outstanding * rate_bps // 10_000 // 12
        outstanding, interest_paid = outstanding - part, interest_paid + interest
        status = LoanStatus.REPAID if outstanding == 0 else LoanStatus.DISBURSED
        acts.append(Act(month, "repay", (part, interest), (status, outstanding, interest_paid, 0, 0)))
    return acts


def _default(month: int, outstanding: int, interest_paid: int, share: float) -> list[Act]:
    recovered = int(outstanding * share) // 100 * 100
    left = (outstanding, interest_paid, 0)
    acts = [Act(month, "markOverdue", (30,), (LoanStatus.OVERDUE, *left, 30)),
            Act(month + 1, "markOverdue", (60,), (LoanStatus.OVERDUE, *left, 60)),
            Act(month + 2, "markDefault", (95,), (LoanStatus.DEFAULTED, *left, 95)),
            Act(month + 2, "claimCompensation", (), (LoanStatus.COMPENSATED, *left, 95))]
    if recovered:
        acts.append(Act(month + 4, "recover", (recovered,),
                        (LoanStatus.COMPENSATED, outstanding - recovered, interest_paid, recovered, 95)))
    return acts


def position(acts: list[Act], start: State, now: State) -> int:
    """How many of ``acts`` the chain has seen (its state ``now``; ``start`` just after disbursement)."""
    if now == start:
        return 0
    for i, act in enumerate(acts):
        if act.after == now:
            return i + 1
    raise ValueError(f"the loan is in a state its script never reaches: {now}")
