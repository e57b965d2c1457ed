"""JSON-RPC over HTTP: stdlib ``ThreadingHTTPServer``, one thread per connection.

``POST /`` with a JSON body is dispatched; keep-alive (HTTP/1.1) is supported so
clients reuse connections. Anything else gets a 405/404 with a short JSON error.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devnet.errors import ConfigError
from devnet.rpc import Dispatcher

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 60


class RpcServer:
    """Serves a ``Dispatcher`` on ``host:port`` in a background thread."""

    def __init__(self, dispatcher: Dispatcher, host: str, port: int) -> None:
        handler = type("Handler", (_Handler,), {"dispatcher": dispatcher})
        try:
            self._httpd = _TrackingServer((host, port), handler)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="devnet-http", daemon=True
        )

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


class _TrackingServer(ThreadingHTTPServer):
    """Remembers open connections so ``stop`` can close idle keep-alive ones."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

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
        if isinstance(error, ConnectionError):
            logger.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    dispatcher: Dispatcher
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_SECONDS
    disable_nagle_algorithm = True  # small responses must not wait for delayed ACKs

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b'{"error":"body too large"}')
            return
        body = self.rfile.read(length)
        response = self.dispatcher.handle_bytes(body)
        if response is None:
            self._send(HTTPStatus.NO_CONTENT, b"")
        else:
            self._send(HTTPStatus.OK, response)

    def do_GET(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b'{"error":"use POST with a JSON-RPC body"}')

    def _send(self, status: HTTPStatus, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client %s went away before its answer", self.address_string())

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
