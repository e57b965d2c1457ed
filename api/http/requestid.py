"""Every request's id: the client's ``X-Request-Id`` when it is a short token, else a new UUID;
echoed in the response's ``X-Request-Id`` and in every problem document, and written to the
server's log beside any failure, so a user's report finds the server's line."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-Id"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "")) or "-"


class RequestIds:
    """ASGI middleware (plain, not BaseHTTPMiddleware: nothing between the app and its body stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        await self.app(scope, receive, stamped)
