"""The devnet's one settings object, built once and passed in."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eth_keys.datatypes import PrivateKey
from eth_typing import Address
from eth_utils.crypto import keccak

from devnet.errors import ConfigError

#: Balance given to each allowlisted account that has no explicit ``alloc`` entry.
DEFAULT_BALANCE = 10**24  # one million ether

#: Deterministic validator key for tests and demos. Never use it for real data.
DEV_VALIDATOR_KEY = keccak(b"credtrace devnet validator (insecure, for development)")

#: The largest chain id: EIP-2294 bounds it to 2**63 - 1 - 36 so that EIP-155's ``v`` fits in 64 bits.
MAX_CHAIN_ID = 2**63 - 37

#: The longest block time accepted, in seconds (a day): longer is a typo, not a chain.
MAX_BLOCK_TIME = 86_400.0


def option_errors(port: int, chain_id: int, block_time: float | None) -> list[str]:
    """What is wrong with the network options, checked before anything is written (both CLIs and
    :class:`DevnetConfig` use it)."""
    wrong = []
    if not 0 <= port <= 65_535:
        wrong.append(f"port must be 0 to 65535, got {port}")
    if not 0 < chain_id <= MAX_CHAIN_ID:
        wrong.append(f"chain_id must be 1 to {MAX_CHAIN_ID} (EIP-2294), got {chain_id}")
    if block_time is not None and not (math.isfinite(block_time) and 0 < block_time <= MAX_BLOCK_TIME):
        wrong.append(f"block_time must be more than 0 and at most {MAX_BLOCK_TIME:g} seconds, got {block_time}")
    return wrong


@dataclass(frozen=True)
class DevnetConfig:
    """Everything a devnet needs to start.

    ``allowlist`` and ``alloc`` are part of the genesis: once a data directory has
    been created, starting it with different values fails with ``GenesisMismatch``.
    ``block_time=None`` means automine (a block as soon as transactions are pending).
    """

    data_dir: Path
    validator_key: bytes
    host: str = "127.0.0.1"
    port: int = 8545
    chain_id: int = 1337
    block_time: float | None = None
    allowlist: tuple[Address, ...] = ()
    alloc: Mapping[Address, int] = field(default_factory=dict)
    gas_limit: int = 30_000_000
    base_fee: int = 1_000_000_000
    genesis_timestamp: int = 0
    registry_address: Address | None = None
    max_logs: int = 100_000
    time_travel: bool = False
    """Serve ``evm_increaseTime`` (:mod:`devnet.clock`): for a simulation's own chain, never a shared one."""

    def __post_init__(self) -> None:
        if len(self.validator_key) != 32:
            raise ConfigError("validator_key must be a 32-byte secp256k1 private key")
        if wrong := option_errors(self.port, self.chain_id, self.block_time):
            raise ConfigError("; ".join(wrong))
        if self.gas_limit < 5_000 or self.base_fee < 0:
            raise ConfigError("gas_limit must be >= 5000 and base_fee >= 0")
        addresses = [*self.allowlist, *self.alloc]
        if self.registry_address is not None:
            addresses.append(self.registry_address)
        for address in addresses:
            if len(address) != 20:
                raise ConfigError(f"not a 20-byte address: {address!r}")
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "alloc", dict(self.alloc))

    @property
    def validator_address(self) -> Address:
        """The address whose key seals every block."""
        key = PrivateKey(self.validator_key)
        return Address(key.public_key.to_canonical_address())

    def genesis_balances(self) -> dict[Address, int]:
        """Genesis balances: every allowlisted account funded, ``alloc`` overriding."""
        balances = {address: DEFAULT_BALANCE for address in self.allowlist}
        balances.update(self.alloc)
        return balances
