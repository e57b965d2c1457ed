"""JSON-RPC 2.0 dispatch, pure: request object(s) in, response object(s) out.

Implements the JSON-RPC 2.0 specification (https://www.jsonrpc.org/specification):
single and batch requests, notifications (no ``id``: no response), by-position
params, and the standard error codes. Method errors are ``RpcError`` subclasses
(``devnet.errors``) and keep their code, message and data; anything else is logged
and reported as -32603 internal error.

Hostile input is bounded before and after the methods run:

* The body is UTF-8 (RFC 8259 §8.1) and JSON, without ``NaN``, ``Infinity`` or numbers beyond a
  double (they would be echoed back as non-JSON), or it is a -32700 parse error.
* Brackets are counted before parsing (``bracket_depth``): JSON nested deeper than
  ``MAX_JSON_DEPTH`` (127, the deepest Anvil parses: serde_json's budget is 128) is a -32600, and
  brackets that do not balance are a -32700, without ever calling the parser. The C
  parser recurses once per level, and py-evm raises the recursion limit to 100,000:
  200 KB of ``[`` would otherwise overflow the thread's stack and kill the process.
* Every request object needs ``"jsonrpc": "2.0"`` (-32600 otherwise, like Anvil);
  its ``id`` is echoed when it is a valid one.
* A batch holds 1 to ``MAX_BATCH`` (10,000) requests (-32600 otherwise). Anvil has no
  cap and geth's is 1,000; credtrace's benchmark sends 10,000 reads at once. Once the
  answers built reach ``MAX_BATCH_RESPONSE_BYTES`` (25 MB, geth's limit) the remaining
  requests are not run: each gets -32005 "response too large" (geth: -32003, which
  here and in EIP-1474 means "transaction rejected").
* An error message is at most ``MAX_ERROR_MESSAGE`` characters: a value echoed from
  the request is cut with "…". ``data`` is only ever revert data, which the call's gas
  bounds, and is sent whole since clients decode it.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from itertools import accumulate
from typing import Any

from devnet.errors import InvalidParams, InvalidRequest, LimitExceeded, MethodNotFound, ParseError, RpcError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = -32603
MAX_BATCH = 10_000
MAX_BATCH_RESPONSE_BYTES = 25_000_000
MAX_JSON_DEPTH = 127
MAX_ERROR_MESSAGE = 1_000

Response = dict[str, Any]

_STRING = re.compile(rb'"[^"]*"')
_CURLY_TO_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKET_OR_QUOTE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_SQUARE_TO_STEP = bytes.maketrans(b"[]", b"\x01\xff")  # +1 and -1 as signed bytes
_FLATTENING_PASSES = 4


class Dispatcher:
    """Routes JSON-RPC requests to a method table."""

    def __init__(self, methods: Mapping[str, Callable[..., Any]]) -> None:
        self._methods = dict(methods)
        self._arities = {name: _arity(fn) for name, fn in self._methods.items()}

    def handle_bytes(self, body: bytes) -> bytes | None:
        """Decode, dispatch, encode. None when nothing should be sent back."""
        try:
            request = decode(body)
        except RpcError as exc:
            return error_body(exc.code, exc.message)
        if isinstance(request, list):
            return self._batch_bytes(request)
        response = self._handle_one(request)
        return None if response is None else _encode(response)

    def handle(self, request: Any) -> Response | list[Response] | None:
        """One request object or a batch (list); None for notifications only."""
        if not isinstance(request, list):
            return self._handle_one(request)
        if refusal := _batch_refusal(request):
            return refusal
        responses = [self._handle_one(item) for item in request]
        answered = [response for response in responses if response is not None]
        return answered or None

    def _batch_bytes(self, batch: list[Any]) -> bytes | None:
        """The batch's answers, the requests past ``MAX_BATCH_RESPONSE_BYTES`` of them not run."""
        if refusal := _batch_refusal(batch):
            return _encode(refusal)
        parts: list[bytes] = []
        size = 0
        for item in batch:
            response = self._handle_one(item, run=size < MAX_BATCH_RESPONSE_BYTES)
            if response is not None:
                parts.append(_encode(response))
                size += len(parts[-1]) + 1
        return b"[" + b",".join(parts) + b"]" if parts else None

    def _handle_one(self, request: Any, run: bool = True) -> Response | None:
        try:
            method, params, request_id, notification = _parse(request)
        except RpcError as exc:
            return _error_response(_valid_id(request), exc.code, exc.message)
        if run:
            response = self._respond(request_id, method, params)
        else:
            response = _error_response(request_id, LimitExceeded.code, "response too large")
        return None if notification else response

    def _respond(self, request_id: Any, method: str, params: list[Any]) -> Response:
        try:
            result = self._call(method, params)
        except RpcError as exc:
            return _error_response(request_id, exc.code, exc.message, exc.data)
        except Exception as exc:
            logger.exception("internal error in %s", method)
            return _error_response(request_id, INTERNAL_ERROR, f"internal error: {exc}")
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def _call(self, method: str, params: list[Any]) -> Any:
        function = self._methods.get(method)
        if function is None:
            raise MethodNotFound(f"the method {method} does not exist/is not available")
        least, most = self._arities[method]
        if not least <= len(params) <= most:
            wanted = f"{least}" if least == most else f"{least} to {most}"
            raise InvalidParams(f"invalid params for {method}: {wanted} expected, {len(params)} given")
        return function(*params)


def decode(body: bytes) -> Any:
    """The JSON value of ``body``, parsed only once its bracket depth is known to be safe."""
    depth = bracket_depth(body)
    if depth is None:
        raise ParseError("parse error: unbalanced brackets")
    if depth > MAX_JSON_DEPTH:
        raise InvalidRequest(f"invalid request: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_not_json, parse_float=_finite)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"parse error: {exc}") from None


def _not_json(token: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (RFC 8259 §6); Python's parser takes them by default."""
    raise ValueError(f"{token} is not JSON")


def _finite(text: str) -> float:
    """A number too large for a double (``1e400``) is refused: it would be sent back as ``Infinity``."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:40]}")
    return number


def bracket_depth(body: bytes) -> int | None:
    """How deep ``[]``/``{}`` nest outside JSON strings; None when they do not balance (not JSON).

    Escapes go first, then strings, so brackets inside strings do not count; in UTF-8 no byte of a
    multi-byte character is a bracket, quote or backslash. Everything runs at ``bytes`` speed but the
    last step, which only long runs of deep nesting reach. Measured: a 10,000-request batch (1.3 MB)
    in ~4 ms, where ``json.loads`` takes ~20 ms; the worst 5 MB body (runs 127 deep) in ~0.5 s.
    ``slow_depth`` in tests/devnet/test_hostile_http.py is the byte-at-a-time reference.
    """
    skeleton = _unescaped(body).translate(_CURLY_TO_SQUARE, _NOT_BRACKET_OR_QUOTE)
    skeleton = skeleton.replace(b'""', b"")  # a string without brackets, or the gap between two strings
    if b'"' in skeleton:
        skeleton = _STRING.sub(b"", skeleton)
    if b'"' in skeleton or skeleton.count(b"[") != skeleton.count(b"]"):
        return None
    return _max_depth(skeleton)


def _unescaped(body: bytes) -> bytes:
    """``body`` without its ``\\\\`` and ``\\"`` escapes (RFC 8259 §7), left to right as a parser reads them."""
    if b"\\" not in body:  # memchr: the usual case costs nothing
        return body
    return body.replace(b"\\\\", b"").replace(b'\\"', b"")


def _max_depth(skeleton: bytes) -> int:
    """Nesting depth of a balanced string of ``[`` and ``]``: each ``replace`` pass removes one level
    (every deepest ``[`` is followed by its ``]``); what a few passes leave is counted one by one."""
    for passes in range(_FLATTENING_PASSES):
        if not skeleton:
            return passes
        skeleton = skeleton.replace(b"[]", b"")
    steps = memoryview(skeleton.translate(_SQUARE_TO_STEP)).cast("b")
    return _FLATTENING_PASSES + max(accumulate(steps), default=0)


def error_body(code: int, message: str) -> bytes:
    """An encoded error response with a null id: for what is refused before any request is read."""
    return _encode(_error_response(None, code, message))


def _batch_refusal(batch: list[Any]) -> Response | None:
    if not batch:
        return _error_response(None, InvalidRequest.code, "empty batch")
    if len(batch) > MAX_BATCH:
        return _error_response(None, InvalidRequest.code, f"batch too large: more than {MAX_BATCH} requests")
    return None


def _parse(request: Any) -> tuple[str, list[Any], Any, bool]:
    """(method, params, id, is_notification) or ``InvalidRequest``."""
    if not isinstance(request, dict):
        raise InvalidRequest("request must be a JSON object")
    if request.get("jsonrpc") != "2.0":
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
    if not _is_id(request_id):
        raise InvalidRequest('"id" must be a string, number or null')
    return method, params, request_id, "id" not in request


def _valid_id(request: Any) -> Any:
    """The id to answer an invalid request with: its own when valid, else null (JSON-RPC 2.0 §5)."""
    request_id = request.get("id") if isinstance(request, dict) else None
    return request_id if _is_id(request_id) else None


def _is_id(value: Any) -> bool:
    return value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool))


def _error_response(request_id: Any, code: int, message: str, data: Any = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": _bounded(message)}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _bounded(message: str) -> str:
    return message if len(message) <= MAX_ERROR_MESSAGE else message[: MAX_ERROR_MESSAGE - 1] + "…"


def _encode(response: Response | list[Response]) -> bytes:
    return json.dumps(response, separators=(",", ":")).encode()


def _arity(function: Callable[..., Any]) -> tuple[int, int]:
    """(fewest, most) positional params ``function`` takes: checked on every request, so counted once
    (``inspect.Signature.bind`` per request cost more than a whole ``eth_getBalance``)."""
    parameters = inspect.signature(function).parameters.values()
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    least = sum(p.default is p.empty for p in positional)
    return least, len(positional)
