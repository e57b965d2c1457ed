"""JSON-RPC over HTTP/1.1 (RFC 9110, RFC 9112): stdlib ``ThreadingHTTPServer``, one thread per connection.

``POST /`` with a JSON body is dispatched; keep-alive (HTTP/1.1) is supported so clients reuse
connections. Every answer, refusals included, is a JSON body; a client's mistake is never a traceback.

Limits, for a node that any process reaching the port can talk to:

* Body: at most ``MAX_BODY_BYTES`` (5 MiB, geth's default; a 10,000-request ``eth_getBalance`` batch
  is about 1.3 MB), framed by ``Content-Length`` or ``Transfer-Encoding: chunked`` (``devnet.framing``).
  Over the limit: 413 before the body is read. A malformed ``Content-Length`` ("abc", "-5"): 400.
  A transfer coding other than chunked: 501. Each refusal is a JSON-RPC error object (-32600, null id)
  with ``Connection: close``; the server then reads and drops what the client still sends, for up to
  ``LINGER_SECONDS`` (2 s), so that closing does not reset the connection before the client reads it.
* ``Content-Type`` must be ``application/json`` (parameters such as ``charset`` allowed; geth's
  ``application/json-rpc`` and ``application/jsonrequest`` too). Anything else, or none, gets what Anvil
  answers: HTTP 200 with a -32600 error, and the method is not run. A browser may POST ``text/plain``
  cross-origin without asking first (a "simple request"), so this is what keeps web pages out.
* Time: a connection has ``HEADER_TIMEOUT_SECONDS`` (5 s) to send its request line and headers, counted
  from its accept for its first request and from the first byte for later ones. On Linux a connection
  is only accepted once it has sent data (``TCP_DEFER_ACCEPT``), so a silent one holds no thread and
  is closed some 12 s after it opened (the kernel accepts it at a SYN-ACK retry: 1, 3, 7 s). A body
  must arrive within ``BODY_TIMEOUT_SECONDS`` (60 s); a keep-alive connection may idle
  ``IDLE_TIMEOUT_SECONDS`` (60 s) between requests. Deadlines are for the whole phase, not per read,
  so a byte a second does not extend them (slowloris).
* The listen backlog is ``LISTEN_BACKLOG`` (1024, capped by ``net.core.somaxconn``), not the stdlib's 5:
  a burst of connections no longer has the kernel drop SYNs (which cost the next client a 1 s retry),
  and silent ones do not queue ahead of a client that has sent its request.
* GET: 405; other methods: 501; a bad request line or oversized headers: the stdlib's 400/414/431.

What the JSON-RPC layer bounds (nesting depth, batch size, response size, error text) is in ``devnet.rpc``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devnet.errors import ConfigError, HttpRefusal, InvalidRequest
from devnet.framing import content_length, read_body
from devnet.rpc import Dispatcher, error_body
from devnet.traffic import Traffic

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
HEADER_TIMEOUT_SECONDS = 5.0
BODY_TIMEOUT_SECONDS = 60.0
IDLE_TIMEOUT_SECONDS = 60.0
WRITE_TIMEOUT_SECONDS = 60.0
LINGER_SECONDS = 2.0
LISTEN_BACKLOG = 1024
JSON_MEDIA_TYPES = frozenset({"application/json", "application/json-rpc", "application/jsonrequest"})


class RpcServer:
    """Serves a ``Dispatcher`` on ``host:port`` in a background thread."""

    def __init__(self, dispatcher: Dispatcher, host: str, port: int, traffic: Traffic | None = None) -> None:
        handler = type("Handler", (_Handler,), {"dispatcher": dispatcher, "traffic": traffic or Traffic()})
        try:
            self._httpd = _TrackingServer((host, port), handler)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="devnet-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        return f"http://{'127.0.0.1' if shown in ('0.0.0.0', '') else shown}:{port}"

    def start(self) -> None:
        self._thread.start()
        logger.info("JSON-RPC listening on %s", self.url)

    def stop(self) -> None:
        """Stop accepting, cut open keep-alive connections, close the socket."""
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join()


def is_json(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` names JSON; media types are case-insensitive (RFC 9110 §8.3.1)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type in JSON_MEDIA_TYPES


class _TrackingServer(ThreadingHTTPServer):
    """Remembers open connections so ``stop`` can close idle keep-alive ones."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        _defer_accept(self.socket)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-request (killed, timed out) is routine: noted, not printed as a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _defer_accept(listener: socket.socket) -> None:
    """Linux ``TCP_DEFER_ACCEPT`` (tcp(7)): a connection reaches ``accept`` once it has sent data, or
    after ``HEADER_TIMEOUT_SECONDS``. Silent connections then cost no thread, and do not queue ahead of
    clients that have sent a request (each accept waits for its thread to start: ~1 ms on a busy host)."""
    option = getattr(socket, "TCP_DEFER_ACCEPT", None)
    if option is not None:
        with contextlib.suppress(OSError):
            listener.setsockopt(socket.IPPROTO_TCP, option, math.ceil(HEADER_TIMEOUT_SECONDS))


def _linger(connection: socket.socket) -> None:
    """Close our side, then read and drop what the client still sends, until it closes or
    ``LINGER_SECONDS`` pass: closing a socket with unread input resets the connection, and the reset
    can destroy the refusal before the client reads it (RFC 9112 §9.6, "Tear-down")."""
    deadline = time.monotonic() + LINGER_SECONDS
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_WR)
        while (remaining := deadline - time.monotonic()) > 0:
            connection.settimeout(remaining)
            if not connection.recv(65536):
                return


class _DeadlineReader(io.RawIOBase):
    """Socket reads that fail with ``TimeoutError`` once ``deadline`` (``time.monotonic``) has passed,
    however the bytes trickle in."""

    def __init__(self, connection: socket.socket) -> None:
        super().__init__()
        self._connection = connection
        self.deadline = 0.0  # set by expire_in before each phase: header, body, idle

    def expire_in(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._connection.settimeout(remaining)
        return self._connection.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    dispatcher: Dispatcher
    traffic: Traffic
    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # a response's headers and body leave in one send, not two
    timeout = WRITE_TIMEOUT_SECONDS
    disable_nagle_algorithm = True  # small responses must not wait for delayed ACKs
    _unread_input = False  # set with a refusal: what the client still sends is drained before closing

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own file object: replaced by one that keeps deadlines
        self._reader = _DeadlineReader(self.connection)
        self._buffered = io.BufferedReader(self._reader)
        self.rfile = self._buffered

    def finish(self) -> None:
        super().finish()
        if self._unread_input:
            _linger(self.connection)

    def handle(self) -> None:
        """Requests until the client closes, a deadline passes or an answer needs the connection closed.
        A request counts as being served (``devnet.traffic``: the miner gives way) from its first byte."""
        self.close_connection = True
        self._reader.expire_in(HEADER_TIMEOUT_SECONDS)
        while self._request_begins():
            self._reader.expire_in(HEADER_TIMEOUT_SECONDS)
            with self.traffic.serving():
                self.handle_one_request()
            if self.close_connection:
                return
            self._reader.expire_in(IDLE_TIMEOUT_SECONDS)

    def _request_begins(self) -> bool:
        try:
            return bool(self._buffered.peek(1))
        except (TimeoutError, OSError, ValueError):
            return False

    def do_POST(self) -> None:
        self._reader.expire_in(BODY_TIMEOUT_SECONDS)
        try:
            body = read_body(self._buffered, self.headers, MAX_BODY_BYTES)
        except HttpRefusal as refusal:
            self._refuse(refusal)
            return
        if not is_json(self.headers.get("Content-Type")):
            message = "invalid content type, only application/json is supported"
            self._send(HTTPStatus.OK, error_body(InvalidRequest.code, message))
            return
        self._answer(body)

    def _answer(self, body: bytes) -> None:
        response = self.dispatcher.handle_bytes(body)
        if response is None:
            self._send(HTTPStatus.NO_CONTENT, b"")
        else:
            self._send(HTTPStatus.OK, response)

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (RFC 9110 §10.1.1): refuse an oversized body before it is sent."""
        try:
            content_length(self.headers.get_all("Content-Length") or [], MAX_BODY_BYTES)
        except HttpRefusal as refusal:
            self._refuse(refusal)
            return False
        return super().handle_expect_100()

    def _refuse(self, refusal: HttpRefusal) -> None:
        self.send_error(refusal.status, refusal.message)

    def do_GET(self) -> None:
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "use POST with a JSON-RPC body")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's refusals (bad request line, headers too long or too many) as JSON, and close."""
        del explain
        self.close_connection = True
        self._unread_input = True
        if not getattr(self, "request_version", "").startswith("HTTP/1."):
            self.request_version = self.protocol_version  # a status line even for a garbled request line
        status = HTTPStatus(code)
        self._send(status, error_body(InvalidRequest.code, message or status.phrase))

    def _send(self, status: HTTPStatus, body: bytes) -> None:
        try:
            self.connection.settimeout(WRITE_TIMEOUT_SECONDS)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()  # headers and body in one send (wbufsize)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            logger.debug("client %s went away before its answer", self.address_string())

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
