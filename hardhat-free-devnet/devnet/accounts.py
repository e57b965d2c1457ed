"""Well-known development accounts, and a ready-made development configuration.

The keys come from the public test mnemonic that Hardhat and Anvil also use
("test test ... junk", BIP-44 path m/44'/60'/0'/0/i), so ``cast`` users recognise
the addresses. Anyone can derive them: they are for development only.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import Address

from devnet.config import DEV_VALIDATOR_KEY, DevnetConfig

DEV_MNEMONIC = "test test test test test test test test test test test junk"


@functools.cache
def _derive(count: int) -> tuple[LocalAccount, ...]:
    Account.enable_unaudited_hdwallet_features()
    return tuple(
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}") for index in range(count)
    )


def dev_accounts(count: int) -> list[LocalAccount]:
    """The first ``count`` accounts of the public development mnemonic."""
    return list(_derive(count))


def dev_config(data_dir: Path, accounts: int = 10, **overrides: Any) -> DevnetConfig:
    """A configuration whose allowlist is the first ``accounts`` dev accounts."""
    allowlist = tuple(Address(bytes.fromhex(account.address[2:])) for account in dev_accounts(accounts))
    settings: dict[str, Any] = {
        "data_dir": data_dir,
        "validator_key": DEV_VALIDATOR_KEY,
        "allowlist": allowlist,
    }
    settings.update(overrides)
    return DevnetConfig(**settings)
