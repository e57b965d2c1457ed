"""JSON-RPC 2.0 dispatch, pure: request object(s) in, response object(s) out.

Implements the JSON-RPC 2.0 specification (https://www.jsonrpc.org/specification):
single and batch requests, notifications (no ``id``: no response), by-position
params, and the standard error codes. Method errors are ``RpcError`` subclasses
(``devnet.errors``) and keep their code, message and data; anything else is logged
and reported as -32603 internal error.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from devnet.errors import InvalidParams, InvalidRequest, MethodNotFound, RpcError

logger = logging.getLogger(__name__)

PARSE_ERROR = -32700
INTERNAL_ERROR = -32603
MAX_BATCH = 10_000

Response = dict[str, Any]


class Dispatcher:
    """Routes JSON-RPC requests to a method table."""

    def __init__(self, methods: Mapping[str, Callable[..., Any]]) -> None:
        self._methods = dict(methods)
        self._signatures = {name: inspect.signature(fn) for name, fn in self._methods.items()}

    def handle_bytes(self, body: bytes) -> bytes | None:
        """Decode, dispatch, encode. None when nothing should be sent back."""
        try:
            request = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _encode(_error_response(None, PARSE_ERROR, f"parse error: {exc}"))
        response = self.handle(request)
        return None if response is None else _encode(response)

    def handle(self, request: Any) -> Response | list[Response] | None:
        """One request object or a batch (list); None for notifications only."""
        if not isinstance(request, list):
            return self._handle_one(request)
        if not request:
            return _error_response(None, InvalidRequest.code, "empty batch")
        if len(request) > MAX_BATCH:
            return _error_response(None, InvalidRequest.code, f"batch larger than {MAX_BATCH}")
        responses = [self._handle_one(item) for item in request]
        answered = [response for response in responses if response is not None]
        return answered or None

    def _handle_one(self, request: Any) -> Response | None:
        try:
            method, params, request_id, notification = _parse(request)
        except RpcError as exc:
            return _error_response(None, exc.code, exc.message)
        try:
            result = self._call(method, params)
        except RpcError as exc:
            response = _error_response(request_id, exc.code, exc.message, exc.data)
        except Exception as exc:
            logger.exception("internal error in %s", method)
            response = _error_response(request_id, INTERNAL_ERROR, f"internal error: {exc}")
        else:
            response = {"jsonrpc": "2.0", "id": request_id, "result": result}
        return None if notification else response

    def _call(self, method: str, params: list[Any]) -> Any:
        function = self._methods.get(method)
        if function is None:
            raise MethodNotFound(f"the method {method} does not exist/is not available")
        try:
            self._signatures[method].bind(*params)
        except TypeError as exc:
            raise InvalidParams(f"invalid params for {method}: {exc}") from None
        return function(*params)


def _parse(request: Any) -> tuple[str, list[Any], Any, bool]:
    """(method, params, id, is_notification) or ``InvalidRequest``."""
    if not isinstance(request, dict):
        raise InvalidRequest("request must be a JSON object")
    if request.get("jsonrpc", "2.0") != "2.0":
        raise InvalidRequest('"jsonrpc" must be "2.0"')
    method = request.get("method")
    if not isinstance(method, str):
        raise InvalidRequest('"method" must be a string')
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        raise InvalidParams("params must be an array (by-position)")
    request_id = request.get("id")
    if isinstance(request_id, (dict, list, bool)):
        raise InvalidRequest('"id" must be a string, number or null')
    return method, params, request_id, "id" not in request


def _error_response(request_id: Any, code: int, message: str, data: Any = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _encode(response: Response | list[Response]) -> bytes:
    return json.dumps(response, separators=(",", ":")).encode()
