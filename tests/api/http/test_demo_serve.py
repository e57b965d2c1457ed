"""The demo's last step in a terminal: it starts the server, prints the portal's address, answers,
and Ctrl-C stops it with exit status 0 (the non-terminal branch is in tests/api/test_cli.py's demo test)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

STEP = ("import sys, pathlib; from api.cli.demo_serve import offer_portal; from api.settings import Settings; "
        "offer_portal(Settings.build(pathlib.Path(sys.argv[1]), None), 'the portal')")


def test_in_a_terminal_the_demo_serves_the_portal_until_ctrl_c(http_base: Path, tmp_path: Path) -> None:
    from oracle_world import copy

    home = copy(http_base, tmp_path / "home")
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen([sys.executable, "-c", STEP, str(home)], stdin=secondary, stdout=secondary,
                               stderr=secondary, env=env, start_new_session=True)
    os.close(secondary)
    try:
        url = _serving_url(primary)
        assert _health(url) == {"status": "ok"}
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)


def _serving_url(primary: int) -> str:
    seen, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([primary], [], [], 1.0)[0]:
            seen += os.read(primary, 4096)
        if found := re.search(rb"serving (http://127\.0\.0\.1:\d+)", seen):
            return found.group(1).decode()
    raise AssertionError(f"no 'serving' line: {seen.decode(errors='replace')}")


def _health(url: str) -> object:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(f"{url}/v1/health", timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
