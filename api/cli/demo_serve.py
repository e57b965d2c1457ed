"""The demo's last step: the platform over HTTP. In a terminal it starts the server and prints the
portal's address (Ctrl-C stops it); without one (CI, a script, ``CI=true``) it prints the command
that would, and the demo exits 0."""

from __future__ import annotations

import os
import socket
import sys

from api.cli.context import console
from api.cli.serve import run_server
from api.settings import Settings

PORT = 8000


def offer_portal(settings: Settings, title: str) -> None:
    console.rule(title)
    command = f"credtrace --home {settings.home} serve --port {PORT}"
    if not interactive():
        console.print(f"not a terminal (or CI=true), so the server is not started here; start it with\n"
                      f"  {command}\nthen open http://127.0.0.1:{PORT}/portal and sign in with\n"
                      f"  credtrace --home {settings.home} portal login --as bank-a")
        return
    port = PORT if free(PORT) else 0
    run_server(settings, "127.0.0.1", port or free_port())


def interactive() -> bool:
    ci = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
    return sys.stdin.isatty() and sys.stdout.isatty() and not ci


def free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
