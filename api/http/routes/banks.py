"""Banks, the matching window (seeds R2): apply for a decision, follow one's own applications, fetch and
verify the signed decision record. A bank sees only its own applications: another bank's is refused
403 ``not-owner`` and the refusal is recorded as ``DENIED`` (a read of enterprise data, seeds R5).

The acts are the commands' own: ``credtrace loan apply`` (:func:`api.actions.loans.apply`, sent from the
bank's own chain account: :mod:`api.http.custody`), ``loan show`` (:func:`api.actions.loans.shown`),
``decision show`` and ``decision verify`` (:mod:`api.actions.decisions`). The loan's later events are in
:mod:`api.http.routes.bank_loans`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api import ApiError
from api.actions import decisions, loans
from api.actions import loan_args as args
from api.actions import loan_view as view
from api.http.auth import Caller, DataReader, Signed, with_role
from api.http.custody import sender_of
from api.http.problems import FORBIDDEN, NOT_FOUND, Problem
from api.http.routes.owned import refused_read
from api.http.service import Service, service
from ledger.contracts.loan_ledger import Application, product_id
from ledger.contracts.model_registry import id_bytes
from ledger.types import Role
from oracle import record
from oracle.errors import OracleError

router = APIRouter(tags=["banks"])
Svc = Annotated[Service, Depends(service)]
Bank = Annotated[Caller, Depends(with_role(Role.BANK))]
ApplicationId = Annotated[int, Path(ge=1, le=args.JSON_INT, description="The application id `loan apply` gave")]
HEX32 = r"^(0x)?[0-9a-fA-F]{64}$"
OWN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "not-owner: another bank's application (recorded as DENIED); role-forbidden"},
    404: {"description": "not-found: no such application"}}


class ApplyBody(BaseModel):
    """``credtrace loan apply``: the enterprise by credit code (pseudonymised by the platform) or by
    pseudonym, one of the two; money in fen."""

    enterprise: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$",
                                   description="unified social credit code (GB 32100-2015)")
    subject: str | None = Field(default=None, pattern=HEX32, description="the enterprise's pseudonym")
    consent: str = Field(pattern=HEX32)
    amount: int = Field(ge=1, le=args.JSON_INT, description="fen")
    term_months: int = Field(ge=1, le=args.UINT16)
    product: str = Field(pattern=r"^[\x20-\x7e]{1,32}$", description="product code, printable ASCII")


class Applied(BaseModel):
    application_id: int


class VerifyBody(BaseModel):
    """``credtrace decision verify``: the record file's text as it is, and its options."""

    record: str = Field(max_length=1_000_000)
    application: int | None = Field(default=None, ge=1, le=args.JSON_INT)
    loans: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{40}$")
    witnesses: list[dict[str, Any]] | None = Field(default=None, max_length=1_000)


class Checked(BaseModel):
    name: str
    ok: bool
    detail: str


class Verified(BaseModel):
    valid: bool
    checks: list[Checked]
    unchecked: list[str]


@router.post("/v1/applications", status_code=201, responses={409: {"description": "contract-revert"}})
def apply(body: ApplyBody, caller: Bank, svc: Svc) -> Applied:
    """Ask for a decision on an enterprise under its consent (``credtrace loan apply``)."""
    code, pseudonym = args.one_subject(body.enterprise, body.subject)
    id_bytes(body.consent, "a consent id")
    product_id(body.product)
    with svc.writing() as p:
        who = pseudonym or p.pseudonymise(str(code))
        number = loans.apply(p.loans, sender_of(svc, caller), who, body.consent, body.amount, body.term_months,
                             body.product)
    return Applied(application_id=number)


@router.get("/v1/applications")
def my_applications(caller: Bank, svc: Svc) -> list[dict[str, Any]]:
    """The bank's applications with their status now (``credtrace loan list --bank … --json``)."""
    found = svc.platform.loans.applications(caller.account)
    statuses = svc.platform.loans.statuses()
    return [view.listed_json(a, statuses[a.application_id]) for a in found]


@router.get("/v1/applications/{application_id}", responses=OWN_ONLY)
def one_application(application_id: ApplicationId, caller: DataReader, svc: Svc, request: Request) -> dict[str, Any]:
    """The application, its status and loan, the final decision with its reason codes and texts, the claim
    (``credtrace loan show --json`` and the record's reasons)."""
    own(request, svc, caller, application_id)
    shown = loans.shown(svc.platform.loans, application_id)
    return {**shown, "reasons": _reasons(svc, application_id) if shown["approved"] is not None else []}


@router.get("/v1/applications/{application_id}/record", responses={
    **OWN_ONLY, 200: {"content": {"application/json": {"schema": {"type": "object"}}},
                      "description": "The DSSE envelope (RFC 8785 JSON, as the oracles stored it)"}})
def decision_record(application_id: ApplicationId, caller: DataReader, svc: Svc, request: Request) -> Response:
    """The signed decision record (``credtrace decision show --out``): every stored signature on the
    payload whose SHA-256 the chain decided, in one DSSE envelope."""
    own(request, svc, caller, application_id)
    raw, _ = decisions.stored_record(svc.platform.loans, svc.platform.engine, application_id)
    return Response(raw, media_type="application/json")


@router.post("/v1/records/verify")
def verify_record(body: VerifyBody, caller: Signed, svc: Svc) -> Verified:
    """Check a record against the chain alone (``credtrace decision verify --json``); ``valid`` says whether
    it passed, and the checks name the first that failed."""
    found = decisions.checks(svc.chain, svc.settings.deployment_path, body.record.encode(), body.application,
                             body.loans, body.witnesses)
    return Verified(**decisions.report(found, proved=body.witnesses is not None))


def own(request: Request, svc: Service, caller: Caller, application_id: int) -> Application:
    """The application, if it is the caller's (a bank's own); else 403, recorded as DENIED."""
    if caller.role is not Role.BANK:
        raise Problem(FORBIDDEN, f"{caller.account} is a {caller.role.name.lower()}; this needs a bank")
    count = svc.platform.loans.application_count()
    if application_id > count:
        raise Problem(NOT_FOUND, f"no application {application_id} on chain: it has {count}")
    found = svc.platform.loans.application(application_id)
    if found.bank != caller.account:
        raise refused_read(request, svc, caller, f"application {application_id} is another bank's")
    return found


def _reasons(svc: Service, application_id: int) -> list[dict[str, Any]]:
    """The reason codes and texts the decision's signed record gives (none if no record is stored)."""
    try:
        raw, _ = decisions.stored_record(svc.platform.loans, svc.platform.engine, application_id)
    except (ApiError, OracleError):  # a decision whose record is not stored here still shows, without reasons
        return []
    return list(record.opened(raw)["predicate"]["reasons"])
