"""A regulator sets the government-bank loss-sharing policy (LossSharing, seeds R2 and R8) in versions,
shared by ``credtrace policy set`` and ``POST /v1/policy``: the fields given replace the latest version's,
the first version needs them all; each loan keeps the version in force when it was disbursed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import TYPE_CHECKING

from api import ApiError

if TYPE_CHECKING:
    from ledger.chain import TransactionSender
    from ledger.contracts.loan_ledger import LoanLedger, Policy


def merged(given: Mapping[str, int], latest: Policy | None, names: Mapping[str, str]) -> Policy:
    """``given`` over ``latest``; without a latest, every field must be given (``names``: how the caller
    calls each field, an option or a JSON member, to say which are missing)."""
    from ledger.contracts.loan_ledger import Policy

    if latest is not None:
        return replace(latest, **given)
    missing = [names[f.name] for f in fields(Policy) if f.name not in given]
    if missing:
        raise ApiError("there is no policy yet to take the rest from: give " + ", ".join(missing))
    return Policy(**given)


def set_policy(loans: LoanLedger, by: TransactionSender, given: Mapping[str, int],
               names: Mapping[str, str]) -> tuple[int, Policy]:
    """The new version's number and its terms, sent from the regulator's account."""
    latest = loans.policy_version()
    policy = merged(given, loans.policy(latest) if latest else None, names)
    return loans.set_policy(by, policy), policy
