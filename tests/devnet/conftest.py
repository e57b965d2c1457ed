"""Fixtures for the devnet tests: a running devnet, a web3 client, contract helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for path in (HERE,):  # devnet_support lives beside the tests
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from devnet_support import Client, connect  # noqa: E402
from eth_account.signers.local import LocalAccount  # noqa: E402
from web3 import Web3  # noqa: E402
from web3.contract import Contract  # noqa: E402

from devnet import Devnet, DevnetConfig  # noqa: E402
from devnet.accounts import dev_accounts, dev_config  # noqa: E402
from devnet.node import Node  # noqa: E402


@pytest.fixture
def accounts() -> list[LocalAccount]:
    return dev_accounts(4)


@pytest.fixture
def config(tmp_path: Path) -> DevnetConfig:
    return dev_config(tmp_path / "chain", port=0)


@pytest.fixture
def node(config: DevnetConfig) -> Iterator[Node]:
    """The node in process, without its miner or server: a test mines with ``node.mine_pending()``."""
    node = Node(config)
    yield node
    node.close()


@pytest.fixture
def devnet(config: DevnetConfig) -> Iterator[tuple[Devnet, str]]:
    handle = Devnet(config)
    with handle.serving() as url:
        yield handle, url


@pytest.fixture
def w3(devnet: tuple[Devnet, str]) -> Web3:
    return connect(devnet[1])


@pytest.fixture
def client(w3: Web3) -> Client:
    return Client(w3)


@pytest.fixture
def counter(client: Client, accounts: list[LocalAccount]) -> Contract:
    return client.deploy(accounts[0], "counter")


@pytest.fixture(params=["devnet", "anvil"])
def node_url(request: pytest.FixtureRequest) -> str:
    """The same client-visible behaviour on the devnet and on Anvil 1.7.1 (``anvil_url``, tests/conftest.py)."""
    if request.param == "anvil":
        return str(request.getfixturevalue("anvil_url"))
    return str(request.getfixturevalue("devnet")[1])
