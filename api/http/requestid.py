"""Every request's id: the client's ``X-Request-Id`` when it is a short token, else a new UUID;
echoed in the response's ``X-Request-Id`` and in every problem document, and written to the
server's log beside any failure, so a user's report finds the server's line."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

HEADER = "X-Request-Id"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or _fresh(request)


def _fresh(request: Request) -> str:
    given = request.headers.get(HEADER, "")
    request.state.request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex
    return str(request.state.request_id)


async def stamp(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Middleware: the id is fixed before the route runs and returned with whatever it answers."""
    rid = _fresh(request)
    response = await call_next(request)
    response.headers[HEADER] = rid
    return response
