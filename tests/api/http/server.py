"""Start the real ``credtrace serve`` on a free port and wait until it answers; stop it on leaving."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(home: Path, *extra: str, timeout: float = 60.0) -> Iterator[str]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "credtrace"), "--home", str(home), "serve", "--port", str(port),
               *extra]
    log = (home.parent / f"serve-{port}.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, timeout)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"credtrace serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"credtrace serve did not answer within {timeout} s")
