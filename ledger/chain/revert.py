"""Revert data → :class:`ContractRevert`, decoded with the contracts' own ABIs.

Revert data is a 4-byte selector followed by ABI-encoded arguments, exactly like a call
(Solidity docs, "Errors and the Revert Statement"); ``Error(string)`` and ``Panic(uint256)``
are the compiler's built-in errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from ledger.chain import artifact
from ledger.errors import ContractRevert
from ledger.types import CONTRACT_ENUMS


@dataclass(frozen=True)
class _ErrorAbi:
    contract: str | None
    name: str
    inputs: tuple[dict[str, Any], ...]

    @property
    def types(self) -> list[str]:
        return [_canonical_type(i) for i in self.inputs]


_BUILTIN = (
    _ErrorAbi(None, "Error", ({"name": "message", "type": "string"},)),
    _ErrorAbi(None, "Panic", ({"name": "code", "type": "uint256"},)),
)


def _canonical_type(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item["components"])
        return f"({inner}){kind[5:]}"
    return kind


@cache
def _selectors() -> dict[bytes, _ErrorAbi]:
    known = {_selector(e): e for e in _BUILTIN}
    for name in artifact.names():
        for item in artifact.load(name).abi:
            if item.get("type") == "error":
                err = _ErrorAbi(name, item["name"], tuple(item["inputs"]))
                known.setdefault(_selector(err), err)
    return known


def _selector(err: _ErrorAbi) -> bytes:
    return function_signature_to_4byte_selector(f"{err.name}({','.join(err.types)})")


def decode_revert(data: bytes) -> ContractRevert:
    """The named error for ``data``; unknown or empty data gives ``UnknownRevert``."""
    err = _selectors().get(data[:4])
    if err is None:
        return ContractRevert.raised("UnknownRevert", {"data": data}, None)
    try:
        values = decode(err.types, data[4:])
    except DecodingError:
        return ContractRevert.raised("UnknownRevert", {"data": data}, err.contract)
    pairs = enumerate(zip(err.inputs, values, strict=True))
    args = {item["name"] or f"arg{n}": _typed(item, value) for n, (item, value) in pairs}
    return ContractRevert.raised(err.name, args, err.contract)


def reason_revert(message: str) -> ContractRevert:
    """A revert a node reported only as text (``Error(string)`` already decoded)."""
    return ContractRevert.raised("Error", {"message": message}, None)


def _typed(item: dict[str, Any], value: Any) -> Any:
    enum = CONTRACT_ENUMS.get(str(item.get("internalType", "")))
    if enum is not None:
        return enum(value)
    if item["type"] == "address":
        return to_checksum_address(value)
    return value
