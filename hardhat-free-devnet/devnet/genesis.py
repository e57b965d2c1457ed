"""The genesis: what it contains, how it is persisted, and how a restart checks it.

The genesis specification is stored (as canonical JSON) in the store's ``meta`` table
in the same transaction as the genesis block, and mirrored to ``DATA_DIR/genesis.json``
for people to read. The genesis header's 32-byte ``extraData`` is keccak256 of that
JSON, so the genesis hash commits to the whole specification, allowlist included.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth.constants import ZERO_HASH32
from eth.typing import AccountDetails
from eth_typing import Address
from eth_utils.crypto import keccak

from devnet.config import DevnetConfig
from devnet.errors import GenesisMismatch

GENESIS_META_KEY = "genesis"


@dataclass(frozen=True)
class GenesisSpec:
    """Chain parameters fixed at genesis. Addresses are lower-case 0x-hex strings."""

    chain_id: int
    gas_limit: int
    base_fee: int
    timestamp: int
    validator: str
    allowlist: tuple[str, ...]
    alloc: tuple[tuple[str, int], ...]

    @classmethod
    def from_config(cls, config: DevnetConfig) -> GenesisSpec:
        balances = sorted(config.genesis_balances().items())
        return cls(
            chain_id=config.chain_id,
            gas_limit=config.gas_limit,
            base_fee=config.base_fee,
            timestamp=config.genesis_timestamp,
            validator=_hex(config.validator_address),
            allowlist=tuple(sorted({_hex(address) for address in config.allowlist})),
            alloc=tuple((_hex(address), balance) for address, balance in balances),
        )

    @classmethod
    def from_json(cls, text: str) -> GenesisSpec:
        raw = json.loads(text)
        raw["allowlist"] = tuple(raw["allowlist"])
        raw["alloc"] = tuple((address, int(balance)) for address, balance in raw["alloc"])
        return cls(**raw)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, balances as decimal strings."""
        raw: dict[str, Any] = asdict(self)
        raw["alloc"] = [[address, str(balance)] for address, balance in self.alloc]
        return json.dumps(raw, sort_keys=True, separators=(",", ":"))

    def digest(self) -> bytes:
        return keccak(text=self.to_json())

    def differences(self, other: GenesisSpec) -> list[str]:
        """Names of the fields whose values differ."""
        mine, theirs = asdict(self), asdict(other)
        return [name for name in mine if mine[name] != theirs[name]]

    def header_params(self) -> dict[str, Any]:
        return {
            "coinbase": b"\0" * 20,
            "difficulty": 0,
            "extra_data": self.digest(),
            "gas_limit": self.gas_limit,
            "mix_hash": ZERO_HASH32,
            "nonce": b"\0" * 8,
            "timestamp": self.timestamp,
            "base_fee_per_gas": self.base_fee,
        }

    def state(self) -> dict[Address, AccountDetails]:
        return {
            Address(bytes.fromhex(address[2:])): {
                "balance": balance,
                "nonce": 0,
                "code": b"",
                "storage": {},
            }
            for address, balance in self.alloc
        }


def check_stored(stored_json: str, expected: GenesisSpec) -> None:
    """Raise ``GenesisMismatch`` if the data dir's genesis differs from ``expected``."""
    stored = GenesisSpec.from_json(stored_json)
    differing = stored.differences(expected)
    if differing:
        raise GenesisMismatch(
            "data directory was created with a different genesis "
            f"(differing: {', '.join(differing)}); use a new --data-dir or the "
            "original settings"
        )


def write_readable_copy(data_dir: Path, spec: GenesisSpec) -> None:
    """Write ``genesis.json`` for humans (the authoritative copy is in the store)."""
    target = data_dir / "genesis.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(json.loads(spec.to_json()), indent=2) + "\n")
    os.replace(temporary, target)


def _hex(address: Address) -> str:
    return "0x" + bytes(address).hex()
