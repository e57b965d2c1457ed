"""FastAPI dependencies: ``Signed`` (any active participant, signature checked), ``DataReader``
(the same for routes that read enterprise data: a refusal is also recorded as ``DENIED``), and
``with_role(...)`` for routes one role or a few may use."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.http.auth.denied import record_denied
from api.http.auth.message import received
from api.http.auth.nonces import NonceStore
from api.http.auth.verify import WINDOW, verify
from api.http.problems import FORBIDDEN, Problem
from api.http.requestid import request_id
from api.http.service import Service, service
from api.platform import now_iso
from ledger.types import Address, OrgId, Role

_KEYID = re.compile(r'keyid="([^"]{1,80})"')


@dataclass(frozen=True)
class Caller:
    """The participant a request was signed by, as the registry holds it now."""

    account: Address
    role: Role
    org_id: OrgId
    nonce: str


async def _caller(request: Request, svc: Service) -> Caller:
    body = await request.body()
    nonces = NonceStore(svc.platform.engine, WINDOW)
    found = await run_in_threadpool(verify, received(request), body, svc.platform.registry.participant, nonces)
    who = found.participant
    return Caller(who.account, who.role, who.org_id, found.nonce)


async def signed(request: Request, svc: Annotated[Service, Depends(service)]) -> Caller:
    return await _caller(request, svc)


async def data_reader(request: Request, svc: Annotated[Service, Depends(service)]) -> Caller:
    try:
        return await _caller(request, svc)
    except Problem as refused:
        await run_in_threadpool(_record, request, svc, refused.detail)
        raise


def _record(request: Request, svc: Service, reason: str) -> None:
    claimed = _KEYID.search(request.headers.get("signature-input", ""))
    route = getattr(request.scope.get("route"), "path", request.url.path)
    with svc.writing() as p:
        record_denied(p.sequencer, claimed.group(1) if claimed else None, f"http {request.method} {route}",
                      reason, request_id(request), now_iso)


Signed = Annotated[Caller, Depends(signed)]
DataReader = Annotated[Caller, Depends(data_reader)]


def with_role(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the signed caller if its role is one of ``roles``, else 403 role-forbidden."""

    async def allowed(caller: Signed) -> Caller:
        if caller.role not in roles:
            names = " or ".join(r.name.lower() for r in roles)
            raise Problem(FORBIDDEN, f"{caller.account} is a {caller.role.name.lower()}; this needs a {names}")
        return caller

    return allowed


def reading(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """:func:`with_role` for routes that read enterprise data: the caller must sign (:data:`DataReader`) and
    hold one of ``roles``; a refusal for either reason is recorded as ``DENIED``, like the gate's."""

    async def allowed(request: Request, caller: DataReader, svc: Annotated[Service, Depends(service)]) -> Caller:
        if caller.role not in roles:
            names = " or ".join(r.name.lower() for r in roles)
            refused = Problem(FORBIDDEN, f"{caller.account} is a {caller.role.name.lower()}; this needs a {names}")
            await run_in_threadpool(_record, request, svc, refused.detail)
            raise refused
        return caller

    return allowed
