"""A bank's loan after the decision (seeds R8): disbursement, repayment, overdue, default, the compensation
claim, recovery, write-off and close, and the bank's portfolio. Each act is ``credtrace loan <act>``
(:func:`api.actions.loans.act`), sent from the bank's own chain account; the chain's state machine and
its "the application's bank only" rule decide (``contracts/LoanLedger.sol``). Another bank's loan is
answered 403 ``not-owner``, an unknown one 404, any other refusal 409 ``contract-revert`` naming the
contract's error in people's terms (:func:`api.actions.loan_view.readable`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.actions import loan_args as args
from api.actions import loan_view as view
from api.actions import loans
from api.http.auth import Caller, with_role
from api.http.custody import sender_of
from api.http.problems import NOT_FOUND, NOT_OWNER, Problem
from api.http.service import Service, service
from ledger.errors import ContractRevert
from ledger.types import Role

router = APIRouter(tags=["banks"])
Svc = Annotated[Service, Depends(service)]
Bank = Annotated[Caller, Depends(with_role(Role.BANK))]
LoanId = Annotated[int, Path(ge=1, le=args.JSON_INT, description="The loan's application id")]
Fen = Annotated[int, Field(ge=1, le=args.JSON_INT, description="fen")]
Days = Annotated[int, Field(ge=0, le=args.UINT32)]
REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "not-owner: another bank's loan; role-forbidden"},
    404: {"description": "not-found: no such application"},
    409: {"description": "contract-revert: the loan's state does not allow it"}}


class Disbursement(BaseModel):
    amount: Fen
    district: str = Field(pattern=r"^[1-9][0-9]{5}$", description="GB/T 2260 county code, e.g. 500103")


class Repayment(BaseModel):
    principal: int = Field(ge=0, le=args.JSON_INT, description="fen")
    interest: int = Field(ge=0, le=args.JSON_INT, description="fen")


class PastDue(BaseModel):
    days: Days


class Recovery(BaseModel):
    amount: Fen


class Outcome(BaseModel):
    """What the act left: the loan's fields (``loan show --json`` names, money in fen), the claim, and the
    lines ``credtrace loan <act>`` prints."""

    application_id: int
    loan: dict[str, Any]
    claim: dict[str, Any] | None
    lines: list[str]


@router.post("/v1/loans/{loan_id}/disbursement", responses=REFUSALS)
def disburse(loan_id: LoanId, body: Disbursement, caller: Bank, svc: Svc) -> Outcome:
    """Pay out an approved loan in a district (``credtrace loan disburse``)."""
    return _act(svc, caller, "disburse", loan_id, body.amount, args.district(body.district))


@router.post("/v1/loans/{loan_id}/repayments", responses=REFUSALS)
def repay(loan_id: LoanId, body: Repayment, caller: Bank, svc: Svc) -> Outcome:
    """Record a repayment (``credtrace loan repay``)."""
    return _act(svc, caller, "repay", loan_id, body.principal, body.interest)


@router.post("/v1/loans/{loan_id}/overdue", responses=REFUSALS)
def overdue(loan_id: LoanId, body: PastDue, caller: Bank, svc: Svc) -> Outcome:
    """Mark the loan overdue by N days; 0 cures it (``credtrace loan overdue``)."""
    return _act(svc, caller, "mark_overdue", loan_id, body.days)


@router.post("/v1/loans/{loan_id}/default", responses=REFUSALS)
def default(loan_id: LoanId, body: PastDue, caller: Bank, svc: Svc) -> Outcome:
    """Declare an overdue loan in default (``credtrace loan default``)."""
    return _act(svc, caller, "mark_default", loan_id, body.days)


@router.post("/v1/loans/{loan_id}/claim", responses=REFUSALS)
def claim(loan_id: LoanId, caller: Bank, svc: Svc) -> Outcome:
    """Claim compensation on a defaulted loan from the pools (``credtrace loan claim``)."""
    return _act(svc, caller, "claim_compensation", loan_id)


@router.post("/v1/loans/{loan_id}/recovery", responses=REFUSALS)
def recover(loan_id: LoanId, body: Recovery, caller: Bank, svc: Svc) -> Outcome:
    """Record money recovered after default (``credtrace loan recover``)."""
    return _act(svc, caller, "recover", loan_id, body.amount)


@router.post("/v1/loans/{loan_id}/write-off", responses=REFUSALS)
def write_off(loan_id: LoanId, caller: Bank, svc: Svc) -> Outcome:
    """Write off what a defaulted loan still owes (``credtrace loan write-off``)."""
    return _act(svc, caller, "write_off", loan_id)


@router.post("/v1/loans/{loan_id}/close", responses=REFUSALS)
def close(loan_id: LoanId, caller: Bank, svc: Svc) -> Outcome:
    """Close a settled loan or an approval never disbursed (``credtrace loan close``)."""
    return _act(svc, caller, "close", loan_id)


@router.get("/v1/portfolio")
def portfolio(caller: Bank, svc: Svc) -> list[dict[str, Any]]:
    """The bank's applications and loans: each application with its status and its loan's fields."""
    ledger = svc.platform.loans
    mine = ledger.applications(caller.account)  # before the statuses: each has its StatusChanged by then
    statuses = ledger.statuses()
    return [{**view.listed_json(a, statuses[a.application_id]), **view.as_json(ledger.loan(a.application_id))}
            for a in mine]


def _act(svc: Service, caller: Caller, operation: str, loan_id: int, *values: int) -> Outcome:
    with svc.writing() as p, _classified():
        done = loans.act(p.loans, sender_of(svc, caller), operation, loan_id, *values)
    claimed = any(view.as_json(done.claim).values())
    return Outcome(application_id=loan_id, loan=view.as_json(done.loan),
                   claim=view.as_json(done.claim) if claimed else None, lines=done.lines)


@contextmanager
def _classified() -> Iterator[None]:
    """The chain's "not your loan" and "no such loan" as 403 and 404; its other refusals stay 409."""
    try:
        yield
    except ContractRevert as revert:
        if revert.error == "NotApplicationBank":
            raise Problem(NOT_OWNER, f"the loan is another bank's: {revert}") from revert
        if revert.error == "UnknownApplication":
            raise Problem(NOT_FOUND, f"no such application: {revert}") from revert
        raise
