"""Reading a request body as RFC 9112 §6 frames it, never past a size limit.

* ``Content-Length`` must be ``1*DIGIT`` (RFC 9110 §8.6): "abc", "-5", "+5", "1_0" or two different
  values are a 400. A declared length over the limit is a 413 before any of the body is read.
* ``Transfer-Encoding: chunked`` (RFC 9112 §7.1) is decoded, chunk extensions and trailers skipped;
  a chunk that would take the body past the limit is a 413 before it is read. Any other transfer
  coding is a 501 (RFC 9112 §6.1). Both headers at once are a 400: RFC 9112 §6.3 allows refusing
  them, and they are the usual shape of request smuggling.
* A body that ends before its framing says is a 400.

Every refusal is an ``HttpRefusal``; the server answers it and closes the connection, since
the rest of the body is unread.
"""

from __future__ import annotations

import re
from email.message import Message
from http import HTTPStatus
from io import BufferedIOBase

from devnet.errors import HttpRefusal

MAX_LINE_BYTES = 4096  # a chunk-size or trailer line
MAX_TRAILER_LINES = 100

_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits: no int() beyond 64 bits, and far over any limit
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


def read_body(stream: BufferedIOBase, headers: Message, limit: int) -> bytes:
    """The request body framed by ``headers`` (RFC 9112 §6.3), at most ``limit`` bytes."""
    codings = headers.get_all("Transfer-Encoding")
    lengths = headers.get_all("Content-Length")
    if codings and lengths:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "both Content-Length and Transfer-Encoding")
    if codings:
        _require_chunked(codings)
        return _read_chunked(stream, limit)
    return _read_exactly(stream, content_length(lengths or [], limit))


def content_length(values: list[str], limit: int) -> int:
    """The one ``Content-Length`` (0 when absent), refused when malformed or over ``limit``."""
    texts = {value.strip() for value in values}
    if len(texts) > 1:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "conflicting Content-Length values")
    text = texts.pop() if texts else "0"
    if not text.isascii() or not text.isdigit():
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"invalid Content-Length {text[:40]!r}")
    if not _DIGITS.fullmatch(text) or int(text) > limit:
        raise _too_large(limit)
    return int(text)


def _require_chunked(codings: list[str]) -> None:
    names = [name.strip().lower() for value in codings for name in value.split(",")]
    if names != ["chunked"]:
        raise HttpRefusal(HTTPStatus.NOT_IMPLEMENTED, "only the chunked transfer coding is supported")


def _read_chunked(stream: BufferedIOBase, limit: int) -> bytes:
    body = bytearray()
    while size := _chunk_size(stream):
        if len(body) + size > limit:
            raise _too_large(limit)
        body += _read_exactly(stream, size)
        if _line(stream) not in (b"\r\n", b"\n"):
            raise HttpRefusal(HTTPStatus.BAD_REQUEST, "chunk longer than its size")
    _skip_trailers(stream)
    return bytes(body)


def _chunk_size(stream: BufferedIOBase) -> int:
    """``chunk-size [ chunk-ext ] CRLF`` (RFC 9112 §7.1); extensions are ignored (§7.1.1)."""
    digits = _line(stream).split(b";", 1)[0].strip()
    if not _HEX.fullmatch(digits):
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "invalid chunk size")
    return int(digits, 16)


def _skip_trailers(stream: BufferedIOBase) -> None:
    """The trailer section ends with an empty line (RFC 9112 §7.1.2); its fields are ignored."""
    for _ in range(MAX_TRAILER_LINES):
        if _line(stream) in (b"\r\n", b"\n"):
            return
    raise HttpRefusal(HTTPStatus.BAD_REQUEST, "too many trailer lines")


def _line(stream: BufferedIOBase) -> bytes:
    line = stream.readline(MAX_LINE_BYTES)
    if not line.endswith(b"\n"):
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "chunked body ended early or line too long")
    return line


def _read_exactly(stream: BufferedIOBase, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "body shorter than its framing says")
    return data


def _too_large(limit: int) -> HttpRefusal:
    return HttpRefusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body too large: at most {limit} bytes")
