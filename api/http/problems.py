"""RFC 9457 problem details: every error the API answers is ``application/problem+json`` with a
stable ``type`` per error class, a ``title`` that does not vary, a ``detail`` for this occurrence,
the ``status``, and the request's id (an extension member, RFC 9457 §3.2). Never a stack trace:
an unexpected failure is logged on the server with its request id and answered as ``internal``.

``type`` is a relative URI (RFC 9457 §3.1.1 allows it, resolved against the request's URI):
``/problems/<slug>``, which the server serves as a page describing the class. The catalogue below
is the interface clients match on; the README lists it.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from api import ApiError
from api.http.requestid import request_id
from ledger.catalogue.errors import AccessDenied, SupplyRefused
from ledger.errors import ChainError, ContractRevert, IdentityError, LedgerError, VerificationError
from ledger.identifiers.errors import IdentifierError
from oracle.errors import OracleError
from scoring.errors import ScoringError

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("credtrace.http")


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        return f"/problems/{self.slug}"


class Problem(Exception):
    """Raised by the HTTP layer itself (authentication, look-ups) with its catalogue entry."""

    def __init__(self, kind: ProblemType, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.extra = kind, detail, extra


INVALID_REQUEST = ProblemType("invalid-request", 422, "The request does not match the API's schema")
BAD_REQUEST = ProblemType("bad-request", 400, "The request cannot be served as asked")
NOT_FOUND = ProblemType("not-found", 404, "No such resource")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed on this resource")
TOO_LARGE = ProblemType("body-too-large", 413, "The request body is larger than the server reads")
UNSIGNED = ProblemType("signature-missing", 401, "The request is not signed (RFC 9421)")
BAD_SIGNATURE = ProblemType("signature-invalid", 401, "The request's signature does not verify")
STALE = ProblemType("signature-expired", 401, "The signature's created time is outside the accepted window")
REPLAYED = ProblemType("nonce-replayed", 401, "The signature's nonce was used before")
UNKNOWN_KEY = ProblemType("key-unknown", 401, "The key id is not a registered participant's account")
NOT_ACTIVE = ProblemType("participant-not-active", 403, "The participant is suspended or has exited")
FORBIDDEN = ProblemType("role-forbidden", 403, "The participant's role may not do this")
ACCESS_DENIED = ProblemType("access-denied", 403, "The access gate refused the read (recorded as DENIED)")
SUPPLY_REFUSED = ProblemType("supply-refused", 403, "The provider may not supply this dataset")
REVERTED = ProblemType("contract-revert", 409, "The chain refused the transaction")
VERIFICATION = ProblemType("verification-failed", 422, "A proof, signature or record does not verify")
IDENTIFIER = ProblemType("identifier-invalid", 422, "An identifier (credit code, id number) is not valid")
CHAIN_DOWN = ProblemType("chain-unavailable", 503, "The chain cannot be reached")
STORE_DOWN = ProblemType("storage-unavailable", 503, "The store or the disk failed; nothing was half-written")
LEDGER = ProblemType("ledger-error", 400, "The ledger refused the request")
ORACLE = ProblemType("oracle-error", 400, "The oracle refused the request")
SCORING = ProblemType("scoring-error", 400, "The model or its input was refused")
INTERNAL = ProblemType("internal", 500, "An unexpected failure; the server logged it with the request id")

# Most specific first: the first class an exception is an instance of names its problem.
BY_ERROR: tuple[tuple[type[Exception], ProblemType], ...] = (
    (AccessDenied, ACCESS_DENIED), (SupplyRefused, SUPPLY_REFUSED), (ContractRevert, REVERTED),
    (VerificationError, VERIFICATION), (IdentifierError, IDENTIFIER), (IdentityError, BAD_REQUEST),
    (ChainError, CHAIN_DOWN), (LedgerError, LEDGER), (OracleError, ORACLE), (ScoringError, SCORING),
    (ApiError, BAD_REQUEST),
)
BY_STATUS = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}
CATALOGUE: tuple[ProblemType, ...] = (
    INVALID_REQUEST, BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, TOO_LARGE, UNSIGNED, BAD_SIGNATURE, STALE, REPLAYED,
    UNKNOWN_KEY, NOT_ACTIVE, FORBIDDEN, ACCESS_DENIED, SUPPLY_REFUSED, REVERTED, VERIFICATION, IDENTIFIER,
    CHAIN_DOWN, STORE_DOWN, LEDGER, ORACLE, SCORING, INTERNAL,
)


def answer(request: Request, kind: ProblemType, detail: str, headers: dict[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    body = {"type": kind.uri, "title": kind.title, "status": kind.status, "detail": detail,
            "instance": request.url.path, "request_id": request_id(request), **extra}
    return JSONResponse(body, status_code=kind.status, media_type=MEDIA_TYPE, headers=headers)


def of_error(exc: Exception) -> ProblemType:
    """The catalogue entry of a package's error (or a failing store); INTERNAL for anything else."""
    found = next((kind for cls, kind in BY_ERROR if isinstance(exc, cls)), None)
    return found or (STORE_DOWN if _storage_failure(exc) else INTERNAL)


def _storage_failure(exc: Exception) -> bool:
    database = sys.modules.get("sqlalchemy.exc")
    return isinstance(exc, OSError) or (database is not None and isinstance(exc, database.DatabaseError))


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return answer(request, exc.kind, exc.detail, **exc.extra)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    kind = BY_STATUS.get(exc.status_code, BAD_REQUEST)
    return answer(request, kind, str(exc.detail), headers=dict(exc.headers or {}))  # 405 keeps its Allow


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return answer(request, INVALID_REQUEST, "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors),
                  errors=errors)


async def _error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, Problem):  # raised where the router's handlers do not reach (a middleware's receive)
        return answer(request, exc.kind, exc.detail, **exc.extra)
    kind = of_error(exc)
    if kind is INTERNAL:
        log.error("request %s failed", request_id(request), exc_info=exc)
        return answer(request, kind, f"request {request_id(request)} failed; the operator can find it in the log")
    return answer(request, kind, str(exc))


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
    for cls, _ in BY_ERROR:  # answered where raised, not re-raised by the server-error middleware
        app.add_exception_handler(cls, _error)
    app.add_exception_handler(Exception, _error)
