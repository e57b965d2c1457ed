"""The one interface to "a chain", and :func:`connect` to get one.

Everything above this module talks to a :class:`Chain` and its ``web3`` handle; only the
backends in ``ledger/chain/backends/`` know whether the EVM runs in this process or behind a
JSON-RPC URL (Anvil, the credtrace devnet, Hyperledger Besu).
"""

from __future__ import annotations

from typing import Protocol

from web3 import Web3

from ledger.errors import ContractRevert
from ledger.types import Address


class Chain(Protocol):
    """A running EVM chain credtrace can read and write."""

    @property
    def web3(self) -> Web3:
        """A web3 handle on the chain, with the middleware the chain needs."""
        ...

    @property
    def endpoint(self) -> str:
        """Where the chain is: a JSON-RPC URL, or ``"eth-tester"`` for the in-process EVM."""
        ...

    def revert_of(self, exc: Exception) -> ContractRevert | None:
        """The contract revert an exception from a call or gas estimate carries, if any."""
        ...

    def fund(self, account: Address, wei: int) -> None:
        """Dev-only: top ``account`` up from the chain's own dev funds; ChainError if none."""
        ...

    def close(self) -> None:
        """Release the connection (and stop anything the backend started)."""
        ...


def connect(rpc_url: str | None = None) -> Chain:
    """The chain at ``rpc_url``, or the embedded in-process chain when it is None."""
    if rpc_url is None:
        from ledger.chain.backends.tester import EthTesterChain

        return EthTesterChain()
    from ledger.chain.backends.rpc import RpcChain

    return RpcChain(rpc_url)
