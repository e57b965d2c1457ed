"""A request as ``http-message-signatures`` reads it: method, target URI and the header field lines
as received (Starlette's ``Headers.items()`` keeps repeated fields, Latin-1 values, RFC 9110 §5.5)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request


@dataclass(frozen=True)
class Received:
    method: str
    url: str
    headers: Headers


def received(request: Request) -> Received:
    return Received(request.method, str(request.url), request.headers)
