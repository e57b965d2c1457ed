"""Node and network facts: versions, chain id, and the fixed answers of a devnet."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib import metadata
from typing import Any

from devnet import formatting
from devnet.node import Node

CLIENT_NAME = "credtrace-devnet"
CLIENT_VERSION = "0.1.0"


class InfoMethods:
    """``web3_*``, ``net_*``, ``eth_chainId``, ``eth_accounts`` and the like."""

    def __init__(self, node: Node) -> None:
        self._node = node

    def table(self) -> dict[str, Callable[..., Any]]:
        chain_id = self._node.config.chain_id
        return {
            "web3_clientVersion": client_version,
            "net_version": lambda: str(chain_id),
            "net_listening": lambda: True,
            "net_peerCount": lambda: "0x0",
            "eth_chainId": lambda: formatting.quantity(chain_id),
            "eth_accounts": lambda: [],
            "eth_syncing": lambda: False,
            "eth_mining": lambda: True,
            "eth_hashrate": lambda: "0x0",
            "eth_coinbase": lambda: formatting.data(self._node.config.validator_address),
        }


def client_version() -> str:
    evm = metadata.version("py-evm")
    return f"{CLIENT_NAME}/v{CLIENT_VERSION}/py-evm-{evm}/python-{platform.python_version()}"
