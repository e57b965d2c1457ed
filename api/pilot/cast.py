"""Who takes part in the pilot: the platform's own participants (dev-only keys in HOME/keys, as
``credtrace init`` makes them), ``banks`` banks, and the enterprises of the synthetic world, whose keys are
derived from the seed and their credit code (dev-only: a pilot of 10,000 enterprises keeps no 10,000 key
files, and a resumed run derives the same keys)."""

from __future__ import annotations

import hashlib
import string

from eth_account import Account
from nacl.signing import SigningKey

from api import ApiError
from ledger.chain import Identity, KeyStore
from ledger.types import Role

MAX_BANKS = 26


def bank_names(banks: int) -> list[str]:
    if not 2 <= banks <= MAX_BANKS:
        raise ApiError(f"a pilot has 2 to {MAX_BANKS} banks, not {banks}")
    return [f"bank-{letter}" for letter in string.ascii_lowercase[:banks]]


def ensure_keys(store: KeyStore, banks: int) -> dict[str, Identity]:
    """The platform's participants and the banks by key name, creating the keys that are missing."""
    from api.cli.keys import DEMO_PARTICIPANTS

    wanted: list[tuple[str, Role, str]] = [(n, r, o) for n, r, o in DEMO_PARTICIPANTS
                                            if r not in (Role.ENTERPRISE, Role.BANK)]
    wanted += [(name, Role.BANK, f"Pilot Bank {name[-1].upper()}") for name in bank_names(banks)]
    have = set(store.names())
    return {n: store.load(n) if n in have else store.create(n, r, o) for n, r, o in wanted}


def enterprise(seed: int, credit_code: str, number: int) -> Identity:
    """The enterprise's dev-only identity, the same on every run of the same seed."""
    root = hashlib.sha256(f"credtrace/pilot/{seed}/{credit_code}".encode()).digest()
    account = Account.from_key(hashlib.sha256(root + b"/account").digest())
    signing = SigningKey(hashlib.sha256(root + b"/signing").digest())
    return Identity(f"enterprise-{number}", Role.ENTERPRISE, f"pilot enterprise {number}", account, signing,
                    credit_code)
