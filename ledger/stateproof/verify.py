"""The checks of a state proof, in order, each one ok or failed with its reason.

1. **block hash**: the header's fields hash to the block's hash (``header.check_hash``);
2. **seal**: the header was sealed by the validator (``header.check_seal``), so its ``stateRoot``
   is the validator's;
3. **account**: the EIP-1186 ``accountProof`` leads from ``stateRoot`` to the account, whose RLP
   ``[nonce, balance, storageRoot, codeHash]`` (Yellow Paper 4.1) is then what the checks below
   use, never the fields the node wrote beside it;
4. **code** (when the expected code hash is known): the account's ``codeHash`` is the artifact's;
5. **slot** *s*, one per slot: the ``storageProof`` leads from the proven ``storageRoot`` to the
   slot, whose value is the RLP of its minimal big-endian bytes (absent: zero), and the value the
   node claimed is that value.

A failed check does not stop the next ones (a slot is "not checked" without a proven storage root);
``Verdict.raise_if_failed`` raises one ``ProofFailed`` naming the first failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import rlp
from rlp.exceptions import DecodingError

from ledger.stateproof import header, mpt
from ledger.stateproof.errors import ProofFailed

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Account:
    """An account as its state-trie leaf holds it (Yellow Paper 4.1)."""

    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes


@dataclass(frozen=True)
class Verdict:
    """Every check, and the slot values that were proven (by slot)."""

    block: header.Header
    address: bytes
    checks: tuple[Check, ...]
    values: Mapping[int, int]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def raise_if_failed(self) -> None:
        failed = [check for check in self.checks if not check.ok]
        if failed:
            raise ProofFailed(f"state proof of 0x{self.address.hex()} at block {self.block.number} failed: "
                              f"{failed[0].detail}" + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""))


@dataclass(frozen=True)
class Expected:
    """What the auditor knows beforehand: the account, its slots, the validator, the code."""

    address: bytes
    slots: Sequence[int]
    validator: bytes | None
    code_hash: bytes | None = None


def verify(block: Json, proof: Json, expected: Expected) -> Verdict:
    """Run every check on a JSON-RPC block object and an ``eth_getProof`` answer."""
    head = header.parsed(block)
    checks = [_check("block hash", lambda: header.check_hash(block)),
              _check("seal", lambda: header.check_seal(block, expected.validator))]
    account = _proven(checks, "account", lambda: proven_account(head.state_root, expected.address, proof))
    code_hash = expected.code_hash
    if code_hash is not None:
        checks.append(_check("code", lambda: _check_code(account, code_hash)))
    values = {}
    for slot in expected.slots:
        value = _proven(checks, f"slot {slot:#x}", partial(proven_slot, account, slot, proof))
        if value is not None:
            values[slot] = value
    return Verdict(head, expected.address, tuple(checks), values)


def proven_account(state_root: bytes, address: bytes, proof: Json) -> tuple[Account, str]:
    """The account proven against ``state_root`` (the empty account if proven absent)."""
    leaf = mpt.proven_value(state_root, address, _nodes(proof.get("accountProof"), "account"), "account proof")
    if not leaf:
        return Account(0, 0, mpt.BLANK_ROOT, EMPTY_CODE_HASH), "proven absent (an empty account)"
    try:
        nonce, balance, storage_root, code_hash = rlp.decode(leaf)
    except (DecodingError, ValueError) as exc:
        raise ProofFailed(f"account proof: the leaf is not an account ({exc})") from exc
    account = Account(_int(nonce), _int(balance), bytes(storage_root), bytes(code_hash))
    return account, f"proven against stateRoot: nonce {account.nonce}, storageRoot 0x{account.storage_root.hex()}"


def proven_slot(account: Account | None, slot: int, proof: Json) -> tuple[int, str]:
    """The slot's value proven against the account's storage root, and equal to the node's claim."""
    if account is None:
        raise ProofFailed(f"slot {slot:#x}: not checked, the account is not proven")
    entry = _storage_entry(proof, slot)
    nodes = _nodes(entry.get("proof"), f"slot {slot:#x}")
    leaf = mpt.proven_value(account.storage_root, slot.to_bytes(32, "big"), nodes, f"storage proof of slot {slot:#x}")
    value = _int(rlp.decode(leaf)) if leaf else 0
    try:
        claimed = int(str(entry.get("value")), 16)
    except ValueError:
        raise ProofFailed(f"slot {slot:#x}: the node's value {entry.get('value')!r} is not a number") from None
    if claimed != value:
        raise ProofFailed(f"slot {slot:#x}: the node says {claimed:#x}, its proof says {value:#x}")
    return value, f"= {value:#066x}"


EMPTY_CODE_HASH = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
"""keccak256 of no code."""


def _check(name: str, run: Callable[[], str]) -> Check:
    try:
        return Check(name, True, run())
    except ProofFailed as exc:
        return Check(name, False, str(exc))


def _proven(checks: list[Check], name: str, run: Callable[[], tuple[Any, str]]) -> Any:
    """Append the check of ``run`` and return what it proved, or None if it failed."""
    try:
        value, detail = run()
    except ProofFailed as exc:
        checks.append(Check(name, False, str(exc)))
        return None
    checks.append(Check(name, True, detail))
    return value


def _check_code(account: Account | None, code_hash: bytes) -> str:
    if account is None:
        raise ProofFailed("code: not checked, the account is not proven")
    if account.code_hash != code_hash:
        raise ProofFailed(f"code: the account's codeHash is 0x{account.code_hash.hex()}, "
                          f"the artifact's 0x{code_hash.hex()}")
    return f"codeHash 0x{code_hash.hex()} is the artifact's"


def _storage_entry(proof: Json, slot: int) -> Json:
    for entry in proof.get("storageProof") or []:
        if isinstance(entry, Mapping) and _key_of(entry) == slot:
            return entry
    raise ProofFailed(f"slot {slot:#x}: the node sent no proof for it")


def _key_of(entry: Json) -> int | None:
    try:
        return int(str(entry.get("key")), 16)
    except ValueError:
        return None


def _nodes(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list):
        raise ProofFailed(f"{what}: the proof is not a list of nodes")
    try:
        return [bytes.fromhex(str(node).removeprefix("0x")) for node in value]
    except ValueError as exc:
        raise ProofFailed(f"{what}: a proof node is not hex ({exc})") from exc


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big")
