"""The embedded chain: the credtrace devnet (hardhat-free-devnet/) in the home folder.

If a ``credtrace devnet`` process already serves the data directory, we join it over
JSON-RPC; otherwise the devnet runs inside this process (node, miner and a loopback
JSON-RPC server on a free port) for as long as the chain is open. Either way the chain is
the same persistent one, and everything talks to it over plain JSON-RPC.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from eth_typing import Address as RawAddress
from eth_utils.address import to_canonical_address

from devnet import Devnet, DevnetConfig, DevnetError
from devnet.datadir import served_url
from ledger.chain.backends.rpc import RpcChain
from ledger.errors import ChainError
from ledger.types import Address

RegistryLocator = Callable[[], bytes | None]
OPERATOR_BALANCE = 10**9 * 10**18  # gas money only: ether has no value on a permissioned chain


def genesis_config(data_dir: Path, operator: Address, validator_key: bytes, *, chain_id: int = 1337,
                   block_time: float | None = None, host: str = "127.0.0.1", port: int = 0) -> DevnetConfig:
    """The embedded chain's settings: the operator alone allowlisted (and funded) at genesis;
    everyone else is admitted by being active in the ParticipantRegistry. Its clock may be moved forward
    (``evm_increaseTime``: ``credtrace pilot run`` runs its months as the chain's calendar): the chain is
    the home's own, served on loopback for as long as a command runs."""
    raw: RawAddress = RawAddress(to_canonical_address(operator))
    return DevnetConfig(data_dir=data_dir, validator_key=validator_key, chain_id=chain_id,
                        block_time=block_time, host=host, port=port,
                        allowlist=(raw,), alloc={raw: OPERATOR_BALANCE}, time_travel=True)


class EmbeddedChain(RpcChain):
    """The devnet at ``config.data_dir``, served by another process or by this one."""

    def __init__(self, config: DevnetConfig, registry: RegistryLocator) -> None:
        self._stack = ExitStack()
        url = served_url(config.data_dir)
        if url is None:
            local = replace(config, host="127.0.0.1", port=0)
            try:
                url = self._stack.enter_context(Devnet(local, registry).serving())
            except DevnetError as exc:
                raise ChainError(f"cannot open the embedded chain in {config.data_dir}: {exc}") from exc
        try:
            super().__init__(url)
        except ChainError:
            self._stack.close()
            raise
        self.endpoint = f"embedded devnet ({config.data_dir})"

    def close(self) -> None:
        """Stop the in-process node, if this process runs it (it seals what is pending)."""
        self._stack.close()
