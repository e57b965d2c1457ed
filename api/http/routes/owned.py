"""A participant reads only what is its own (a bank its applications and records, an enterprise the use of
its data); a refused read of enterprise data is answered 403 ``not-owner`` and recorded as ``DENIED``,
like the access gate's refusals and the signature checks' (:mod:`api.http.auth.denied`)."""

from __future__ import annotations

from fastapi import Request

from api.http.auth import Caller
from api.http.auth.denied import record_denied
from api.http.problems import NOT_OWNER, Problem
from api.http.requestid import request_id
from api.http.service import Service
from api.platform import now_iso


def refused_read(request: Request, svc: Service, caller: Caller, reason: str) -> Problem:
    """The refusal, recorded (the route's path template as the purpose); the caller raises it."""
    route = getattr(request.scope.get("route"), "path", request.url.path)
    with svc.writing() as p:
        record_denied(p.sequencer, caller.account, f"http {request.method} {route}", reason, request_id(request),
                      now_iso)
    return Problem(NOT_OWNER, reason)
