"""Shared fixtures: chains by backend (the same tests run on each), funded identities."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account
from nacl.signing import SigningKey

from ledger.chain import Chain, connect
from ledger.identity import Identity
from ledger.sender import TransactionSender
from ledger.types import Role

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CREDTRACE_TOOLS", ROOT / "tools" / "node_modules" / ".bin"))


def tool(name: str) -> Path:
    """A pinned tool from tools/; its absence is a set-up error, never a skip."""
    path = TOOLS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make tools` (make test does it)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on port {port} after {timeout}s")


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """A real Anvil process for the whole session, stopped at the end."""
    port = free_port()
    proc = subprocess.Popen(
        [str(tool("anvil")), "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["tester", "anvil"])
def chain(request: pytest.FixtureRequest) -> Iterator[Chain]:
    """The same test on the in-process chain and on a real Anvil node."""
    url = None if request.param == "tester" else request.getfixturevalue("anvil_url")
    handle = connect(url)
    yield handle
    handle.close()


@pytest.fixture
def make_identity(chain: Chain) -> Callable[[Role], Identity]:
    """Fresh keys with gas money, so tests never share accounts or nonces."""

    def make(role: Role) -> Identity:
        identity = Identity(
            role.name.lower(),
            role,
            f"{role.name} org {time.time_ns()}",
            Account.create(),
            SigningKey.generate(),
        )
        chain.fund(identity.address, 10**20)
        return identity

    return make


@pytest.fixture
def sender(chain: Chain) -> Callable[[Identity], TransactionSender]:
    return lambda identity: TransactionSender(chain, identity.account)
