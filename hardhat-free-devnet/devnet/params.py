"""Parsing of JSON-RPC parameters (Ethereum JSON-RPC encoding, EIP-1474/EIP-1898).

Every parser raises ``InvalidParams`` with a message naming what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_typing import Address, Hash32

from devnet.errors import InvalidParams
from devnet.execution import AccessList, CallRequest
from devnet.logindex import LogFilter

BLOCK_TAGS = frozenset({"latest", "pending", "safe", "finalized", "earliest"})


@dataclass(frozen=True)
class BlockRef:
    """A block named by tag, number or hash (EIP-1898)."""

    tag: str | None = None
    number: int | None = None
    hash: Hash32 | None = None


def quantity(value: Any, name: str = "quantity") -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if not isinstance(value, str) or not value.startswith(("0x", "0X")) or len(value) < 3:
        raise InvalidParams(f"{name}: expected a 0x-prefixed hex quantity, got {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise InvalidParams(f"{name}: invalid hex quantity {value!r}") from None


def boolean(value: Any, name: str) -> bool:
    """A JSON ``true``/``false``; Anvil refuses ``"yes"``, ``1`` or ``null`` where the spec says boolean."""
    if not isinstance(value, bool):
        raise InvalidParams(f"{name}: expected a boolean, got {value!r}")
    return value


def data(value: Any, name: str = "data") -> bytes:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise InvalidParams(f"{name}: expected 0x-prefixed hex data, got {value!r}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidParams(f"{name}: invalid hex data {value!r}") from None


def address(value: Any, name: str = "address") -> Address:
    raw = data(value, name)
    if len(raw) != 20:
        raise InvalidParams(f"{name}: expected a 20-byte address, got {value!r}")
    return Address(raw)


def hash32(value: Any, name: str = "hash") -> Hash32:
    raw = data(value, name)
    if len(raw) != 32:
        raise InvalidParams(f"{name}: expected a 32-byte hash, got {value!r}")
    return Hash32(raw)


def block_ref(value: Any = "latest") -> BlockRef:
    """A block tag, hex number, or ``{"blockHash"|"blockNumber": ...}`` object."""
    if value is None:
        return BlockRef(tag="latest")
    if isinstance(value, str) and value in BLOCK_TAGS:
        return BlockRef(tag=value)
    if isinstance(value, dict):
        if "blockHash" in value:
            return BlockRef(hash=hash32(value["blockHash"], "blockHash"))
        if "blockNumber" in value:
            return block_ref(value["blockNumber"])
        raise InvalidParams("block object needs blockHash or blockNumber")
    return BlockRef(number=quantity(value, "block number"))


def storage_slot(value: Any) -> int:
    slot = quantity(value, "storage slot") if isinstance(value, str) else -1
    if not 0 <= slot < 2**256:
        raise InvalidParams(f"storage slot out of range: {value!r}")
    return slot


def call_request(value: Any) -> CallRequest:
    """A call object: ``from``, ``to``, ``gas``, ``value``, ``data``/``input``, ``accessList``."""
    if not isinstance(value, dict):
        raise InvalidParams("call object must be a JSON object")
    payload = value.get("input", value.get("data"))
    gas = value.get("gas")
    return CallRequest(
        sender=address(value["from"], "from") if value.get("from") else Address(b"\0" * 20),
        to=address(value["to"], "to") if value.get("to") else None,
        data=data(payload, "input") if payload is not None else b"",
        value=quantity(value["value"], "value") if value.get("value") is not None else 0,
        gas=quantity(gas, "gas") if gas is not None else None,
        access_list=access_list(value.get("accessList")),
    )


def access_list(value: Any) -> AccessList:
    """EIP-2930 ``accessList``: ``[{"address": DATA20, "storageKeys": [DATA32...]}]``; null is empty."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams("accessList must be a list")
    return tuple(_access_list_entry(entry) for entry in value)


def _access_list_entry(value: Any) -> tuple[Address, tuple[int, ...]]:
    if not isinstance(value, dict) or "address" not in value:
        raise InvalidParams("accessList entry must be an object with an address")
    keys = value.get("storageKeys") or []
    if not isinstance(keys, list):
        raise InvalidParams("accessList storageKeys must be a list")
    slots = tuple(int.from_bytes(hash32(key, "storage key"), "big") for key in keys)
    return address(value["address"], "accessList address"), slots


def log_filter_parts(value: Any) -> tuple[BlockRef, BlockRef, Hash32 | None, LogFilter]:
    """Range ends, optional blockHash, and a ``LogFilter`` with placeholder range."""
    if not isinstance(value, dict):
        raise InvalidParams("filter must be a JSON object")
    block_hash = hash32(value["blockHash"], "blockHash") if value.get("blockHash") else None
    if block_hash is not None and ("fromBlock" in value or "toBlock" in value):
        raise InvalidParams("cannot specify both blockHash and fromBlock/toBlock")
    shape = LogFilter(0, 0, _addresses(value.get("address")), _topics(value.get("topics")))
    return block_ref(value.get("fromBlock")), block_ref(value.get("toBlock")), block_hash, shape


def _addresses(value: Any) -> tuple[bytes, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(address(item) for item in value)
    return (address(value),)


def _topics(value: Any) -> tuple[tuple[bytes, ...] | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidParams("topics must be a list")
    topics: list[tuple[bytes, ...] | None] = []
    for position in value:
        if position is None:
            topics.append(None)
        elif isinstance(position, list):
            topics.append(tuple(hash32(topic, "topic") for topic in position) or None)
        else:
            topics.append((hash32(position, "topic"),))
    return tuple(topics)
