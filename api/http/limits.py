"""A request body may be at most :data:`MAX_BODY` bytes: a bigger one is refused with 413 before it is
read whole (by its Content-Length, or as its chunks arrive when it has none), so no caller can make
the server buffer gigabytes. Ingest more rows as several batches."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import TOO_LARGE, Problem, answer

MAX_BODY = 32 * 1024 * 1024


class BodyLimit:
    """ASGI middleware holding every request to ``limit`` bytes of body."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if scope["type"] == "http" and declared.isdigit() and int(declared) > self.limit:
            detail = f"the body is {int(declared)} bytes; at most {self.limit} are read: send smaller batches"
            await answer(Request(scope, receive), TOO_LARGE, detail)(scope, receive, send)
            return
        await self.app(scope, self._counted(receive) if scope["type"] == "http" else receive, send)

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # a body sent without a length (chunked) that outgrew the limit
                raise Problem(TOO_LARGE, f"the body passed {self.limit} bytes: send smaller batches")
            return message

        return counted
