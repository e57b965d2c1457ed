"""The pages, one per role (seeds R2; the 2019 notice's financing big-data service portal):

- enterprise  ``/portal/enterprise``: its data as catalogued, its consents, who used its data
- bank        ``/portal/bank`` (银企对接窗口): its applications and portfolio;
              ``/portal/bank/applications/{id}``: the decision and its reasons, and "verify record"
- regulator   ``/portal/regulator`` (台账): the operating ledger with its charts, the departments'
              data-aggregation assessment, model monitoring, the sanctions list
- auditor     ``/portal/auditor``: a lineage timeline and graph, each event's proof status

Every page reads through :mod:`api.http.portal.views` (the commands' own functions). A platform error
(no record, an unknown target) is shown as a refusal page with the platform's words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from api import ApiError
from api.actions.trace import Asked
from api.http.portal import figures, views
from api.http.portal.i18n import chosen
from api.http.portal.sessions import Session
from api.http.portal.web import Posted, Refused, Visitor, needs, render, role_of
from api.http.service import Service, service
from ledger.errors import LedgerError
from ledger.types import Role
from oracle.errors import OracleError

if TYPE_CHECKING:
    from ledger.contracts.loan_ledger import Application
    from oracle.verify import Check

router = APIRouter(include_in_schema=False)
Svc = Annotated[Service, Depends(service)]
HOMES = {Role.ENTERPRISE: "/portal/enterprise", Role.BANK: "/portal/bank", Role.REGULATOR: "/portal/regulator",
         Role.AUDITOR: "/portal/auditor"}
T = TypeVar("T")


@contextmanager
def platform_said() -> Iterator[None]:
    """The platform's refusals (no record yet, an unknown target…) as a refusal page."""
    try:
        yield
    except (ApiError, LedgerError, OracleError) as exc:
        raise Refused(400, "refused.error", detail=str(exc)) from None


def read(what: Callable[[], T]) -> T:
    with platform_said():
        return what()


@router.get("/portal")
def home(request: Request, visitor: Visitor) -> Response:
    found = HOMES.get(role_of(request))
    if found is None:
        return render(request, "home.html", session=visitor)
    return RedirectResponse(found, status_code=303)


@router.get("/portal/enterprise")
def enterprise(request: Request, visitor: Visitor, svc: Svc) -> Response:
    needs(request, Role.ENTERPRISE)
    subject = svc.platform.registry.participant(visitor.account).org_id.hex()
    found = read(lambda: views.traced(svc, Asked(subject=subject)))
    return render(request, "enterprise.html", session=visitor, subject=subject, trace=found,
                  names=views.names(svc))


@router.get("/portal/bank")
def bank(request: Request, visitor: Visitor, svc: Svc) -> Response:
    needs(request, Role.BANK)
    report = read(lambda: views.operating(svc))
    mine = next((row for row in report.banks if row.bank == visitor.account), None)
    return render(request, "bank.html", session=visitor, rows=views.applications(svc, visitor.account),
                  portfolio=mine, money=figures.money, ratio=figures.ratio)


@router.get("/portal/bank/applications/{number}")
def application(request: Request, number: int, visitor: Visitor, svc: Svc) -> Response:
    return _application(request, number, visitor, svc, None)


@router.post("/portal/bank/applications/{number}/verify")
def verify(request: Request, number: int, visitor: Posted, svc: Svc) -> Response:
    needs(request, Role.BANK)
    _own(svc, visitor.account, number)
    return _application(request, number, visitor, svc, read(lambda: views.verified(svc, number)))


def _application(request: Request, number: int, visitor: Session, svc: Service, checks: list[Check] | None) -> Response:
    needs(request, Role.BANK)
    found = _own(svc, visitor.account, number)
    status = svc.platform.loans.statuses()[number]
    return render(request, "application.html", session=visitor, app=found, loan_status=status,
                  decided=read(lambda: views.decided(svc, number)), checks=checks, money=figures.money,
                  here=f"/portal/bank/applications/{number}",
                  percent=figures.percent)


def _own(svc: Service, bank: str, number: int) -> Application:
    loans = svc.platform.loans
    if not 1 <= number <= loans.application_count():
        raise Refused(404, "refused.error", detail=f"no application {number} on chain")
    found = loans.application(number)
    if found.bank != bank:
        raise Refused(403, "refused.not_yours")
    return found


@router.get("/portal/regulator")
def regulator(request: Request, visitor: Visitor, svc: Svc) -> Response:
    needs(request, Role.REGULATOR)
    report = read(lambda: views.operating(svc))
    departments, models = views.departments(svc), views.models(svc)
    names = views.names(svc)
    return render(request, "regulator.html", session=visitor, report=report, departments=departments,
                  models=models, sanctions=views.sanctions(svc), names=names,
                  charts=figures.charts(report, departments, models, names, chosen(request)),
                  money=figures.money, ratio=figures.ratio, figures=figures)


@router.get("/portal/auditor")
def auditor(request: Request, visitor: Visitor, svc: Svc, kind: str = "application", value: str = "") -> Response:
    needs(request, Role.AUDITOR, Role.REGULATOR)
    found = read(lambda: views.traced(svc, _asked(kind, value.strip()))) if value.strip() else None
    return render(request, "auditor.html", session=visitor, kind=kind, value=value, trace=found,
                  graph=figures.lineage(found) if found else None, names=views.names(svc))


def _asked(kind: str, value: str) -> Asked:
    if kind == "enterprise":
        return Asked(enterprise=value)
    if kind == "dataset":
        return Asked(dataset=value)
    if not value.isdigit() or len(value) > 12:
        raise Refused(400, "refused.error", detail="an application id is a whole number")
    return Asked(application=int(value))
