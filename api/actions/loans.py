"""A bank's loan, from application to close (LoanLedger, seeds R2 and R8): the acts ``credtrace loan``
and the bank routes share. Arguments are checked by :mod:`api.actions.loan_args` first; a revert is
re-raised in people's terms (:func:`api.actions.loan_view.explained`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.actions import loan_view as view
from ledger.chain import TransactionSender
from ledger.contracts.loan_ledger import Claim, Loan, LoanLedger

OPERATIONS = ("disburse", "repay", "mark_overdue", "mark_default", "claim_compensation", "recover", "write_off",
              "close")
"""What a bank reports on its loan, by :class:`LoanLedger`'s method names."""


@dataclass(frozen=True)
class Outcome:
    """What a bank's act left: the loan now, and its compensation claim."""

    operation: str
    application_id: int
    loan: Loan
    claim: Claim

    @property
    def lines(self) -> list[str]:
        """What ``credtrace loan <act>`` prints: the status, and the claim after a claim or a recovery."""
        claimed = self.operation in ("claim_compensation", "recover") and self.claim.loss
        return [view.outcome(self.application_id, self.loan)] + (["  " + view.claim_line(self.claim)] if claimed
                                                                  else [])


def apply(loans: LoanLedger, bank: TransactionSender, subject: str, consent: str, amount: int, months: int,
          product: str) -> int:
    """The bank asks for a decision on the enterprise ``subject`` (its pseudonym) under ``consent``."""
    with view.explained(loans):
        return loans.apply(bank, subject, consent, amount, months, product)


def act(loans: LoanLedger, bank: TransactionSender, operation: str, application_id: int, *values: int) -> Outcome:
    """The bank sends ``operation`` (one of :data:`OPERATIONS`) on its loan; the loan and claim after it."""
    if operation not in OPERATIONS:
        raise ValueError(f"not a bank's act: {operation}")
    with view.explained(loans):
        getattr(loans, operation)(bank, application_id, *values)
    return Outcome(operation, application_id, loans.loan(application_id), loans.claim(application_id))


def shown(loans: LoanLedger, application_id: int) -> dict[str, Any]:
    """``credtrace loan show --json``: the application, its loan, final decision and claim."""
    with view.explained(loans):
        found = (loans.application(application_id), loans.loan(application_id), loans.decision(application_id),
                 loans.claim(application_id))
    return view.loan_json(*found)
