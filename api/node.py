"""The chain a deployable talks to: the node at ``--rpc``, or the embedded devnet in the home folder.

Shared by the command line and the HTTP server; heavy packages (web3, py-evm) are imported when a
chain is opened, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from api.settings import Settings

if TYPE_CHECKING:
    from devnet import DevnetConfig
    from ledger.chain import Chain, KeyStore
    from ledger.chain.backends.embedded import EmbeddedChain


@contextmanager
def opened(settings: Settings) -> Iterator[Chain]:
    """The chain at --rpc, or the embedded devnet in the home folder."""
    from ledger.chain import connect

    chain = connect(settings.rpc_url) if settings.rpc_url else embedded(settings)
    try:
        yield chain
    finally:
        chain.close()


def embedded(settings: Settings) -> EmbeddedChain:
    from ledger.chain import deployment
    from ledger.chain.backends.embedded import EmbeddedChain

    return EmbeddedChain(embedded_config(settings), deployment.registry_locator(settings.deployment_path))


def embedded_config(settings: Settings, **options: Any) -> DevnetConfig:
    """The embedded devnet's settings: the operator allowlisted, a dev-only validator key."""
    from devnet.cli import load_or_create_key
    from ledger.chain.backends.embedded import genesis_config

    operator = keystore(settings).load("operator")
    settings.devnet_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = load_or_create_key(settings.devnet_dir / "validator.key")
    return genesis_config(settings.devnet_dir, operator.address, key, **options)


def keystore(settings: Settings) -> KeyStore:
    from ledger.chain import KeyStore

    return KeyStore(settings.keys_dir)
