"""Shared fixtures: chains by backend (the same tests run on each), funded identities."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import hypothesis  # noqa: F401  imported here, at a shallow stack: see below
import pytest
import sqlalchemy
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import Address
from eth_utils.address import to_canonical_address
from nacl.signing import SigningKey

from devnet import Devnet, DevnetConfig
from devnet.config import DEV_VALIDATOR_KEY
from ledger.chain import Chain, Identity, TransactionSender, connect
from ledger.types import Role

# hypothesis's pytest plugin imports hypothesis at the terminal summary when no test did; pytest then
# rewrites its modules from deep in the hook stack, where CPython 3.11.7's ast.parse fails with
# "AST constructor recursion depth mismatch" and the run ends without its summary line.

ROOT = Path(__file__).resolve().parent.parent

# The plain helper modules the tests share — provenance_world and ct_vectors (provenance/), supply_world
# (catalogue/), loan_world (contracts/), ledger_story (operating/), decision_world (tests/oracle/) —
# importable from any test folder.
for _helpers in ("ledger/provenance", "ledger/catalogue", "ledger/contracts", "ledger/operating", "oracle"):
    if str(ROOT / "tests" / _helpers) not in sys.path:
        sys.path.insert(0, str(ROOT / "tests" / _helpers))
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


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


throwaway_server = _load_script("throwaway_postgres").throwaway_server


CHROMIUM = "/usr/bin/chromium"
"""Debian's chromium (``make chromium``): the browser tests never download one."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium driven by Playwright's Python package with ``executable_path``, for a module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with throwaway_server(free_port()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same store tests on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'credtrace.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    name = f"t{time.time_ns()}"
    engine = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def tools() -> Callable[[str], Path]:
    """``tools("cast")``: the path of a pinned tool, failing (not skipping) if it is missing."""
    return tool


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """A real Anvil process for the whole session, stopped at the end."""
    port = free_port()
    proc = subprocess.Popen(
        [str(tool("anvil")), "--port", str(port), "--silent", "--balance", "1000000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


DEVNET_POOL = 600
"""Accounts allowlisted and funded in the test devnet's genesis, handed out one per identity."""


@pytest.fixture(scope="session")
def devnet_pool() -> list[LocalAccount]:
    return [Account.create() for _ in range(DEVNET_POOL)]


@pytest.fixture(scope="session")
def devnet_url(tmp_path_factory: pytest.TempPathFactory, devnet_pool: list[LocalAccount]) -> Iterator[str]:
    """The credtrace devnet, in this process, serving on a free loopback port."""
    allowlist = tuple(Address(to_canonical_address(a.address)) for a in devnet_pool)
    config = DevnetConfig(
        data_dir=tmp_path_factory.mktemp("devnet"),
        validator_key=DEV_VALIDATOR_KEY,
        port=0,
        allowlist=allowlist,
    )
    with Devnet(config).serving() as url:
        yield url


BACKENDS = {"tester": None, "devnet": "devnet_url", "anvil": "anvil_url"}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest) -> str:
    """eth-tester (in process), the credtrace devnet, and a real Anvil node."""
    return str(request.param)


@pytest.fixture
def chain(backend: str, request: pytest.FixtureRequest) -> Iterator[Chain]:
    """The same test on every backend."""
    url = BACKENDS[backend]
    handle = connect(request.getfixturevalue(url) if url else None)
    yield handle
    handle.close()


@pytest.fixture
def make_identity(chain: Chain, backend: str, request: pytest.FixtureRequest) -> Callable[[Role], Identity]:
    """Fresh keys with gas money, so tests never share accounts or nonces. On the permissioned
    devnet they come from the genesis pool (admitted and funded), elsewhere from the faucet."""
    pool: list[LocalAccount] | None = request.getfixturevalue("devnet_pool") if backend == "devnet" else None

    def make(role: Role) -> Identity:
        account = pool.pop() if pool is not None else Account.create()
        identity = Identity(
            role.name.lower(), role, f"{role.name} org {time.time_ns()}", account, SigningKey.generate()
        )
        if pool is None:
            chain.fund(identity.address, 10**20)
        return identity

    return make


@pytest.fixture
def sender(chain: Chain) -> Callable[[Identity], TransactionSender]:
    return lambda identity: TransactionSender(chain, identity.account)
