"""Where a contract keeps a record: Solidity's storage layout, as the compiler reports it.

The compiler's ``storageLayout`` output (kept in each artifact by ``scripts/compile_contracts.py``;
format: https://docs.soliditylang.org/en/latest/internals/layout_in_storage.html#json-output)
gives every state variable's slot and every struct member's slot and byte offset.

The rules this module applies are those of the Solidity documentation, "Layout of State
Variables in Storage" (https://docs.soliditylang.org/en/latest/internals/layout_in_storage.html):

- *Mappings and Dynamic Arrays*: the value of key ``k`` in a mapping at slot ``p`` starts at
  slot ``keccak256(h(k) . p)``, where ``.`` is concatenation and ``h`` pads a value-type key to
  32 bytes (numbers big-endian, addresses to the right, ``bytes32`` as it is);
- a struct's members follow from that slot, each at its member ``slot`` and ``offset``;
- several small values share a slot, the first in the lower-order bytes: a member of ``n`` bytes
  at offset ``o`` is bytes ``[32 - o - n, 32 - o)`` of the big-endian 32-byte word.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from ledger.stateproof.errors import LayoutError

_ARTIFACTS = "ledger.chain.artifacts"
WORD = 32


@dataclass(frozen=True)
class Field:
    """One value in storage: ``name`` (``grant.enterprise`` inside nested structs), where it lies,
    and its Solidity type (``address``, ``uint64``, ``bytes32``, ``bool``, ``enum …``)."""

    name: str
    slot: int
    offset: int
    size: int
    type: str


@dataclass(frozen=True)
class Record:
    """A mapping's value for one key: the slot it starts at and its fields."""

    variable: str
    base: int
    fields: tuple[Field, ...]

    @property
    def slots(self) -> list[int]:
        return sorted({f.slot for f in self.fields})


class Layout:
    """A contract's ``storageLayout`` document."""

    def __init__(self, contract: str, doc: Mapping[str, Any]) -> None:
        self.contract = contract
        self._variables = {v["label"]: v for v in doc.get("storage", [])}
        self._types: Mapping[str, Any] = doc.get("types") or {}

    def slot_of(self, variable: str) -> int:
        return int(self._variable(variable)["slot"])

    def mapping_record(self, variable: str, key: int | bytes) -> Record:
        """The record at ``key`` of the mapping ``variable``."""
        mapping = self._types[self._variable(variable)["type"]]
        if mapping.get("encoding") != "mapping":
            raise LayoutError(f"{self.contract}.{variable} is not a mapping")
        base = mapping_slot(_key_word(self._types[mapping["key"]]["label"], key), self.slot_of(variable))
        return Record(variable, base, tuple(self._fields(mapping["value"], "", base, 0)))

    def _variable(self, label: str) -> Mapping[str, Any]:
        if label not in self._variables:
            raise LayoutError(f"{self.contract} has no state variable {label!r}")
        return self._variables[label]  # type: ignore[no-any-return]

    def _fields(self, type_id: str, name: str, slot: int, offset: int) -> list[Field]:
        """The value-type fields of ``type_id`` at ``slot``, structs flattened (``a.b``)."""
        kind = self._types[type_id]
        if kind.get("encoding") != "inplace":
            raise LayoutError(f"{self.contract}: {name or 'the value'} is a {kind['label']}, not a value type")
        if "members" not in kind:
            return [Field(name, slot, offset, int(kind["numberOfBytes"]), kind["label"])]
        found: list[Field] = []
        for member in kind["members"]:
            path = f"{name}.{member['label']}" if name else member["label"]
            found += self._fields(member["type"], path, slot + int(member["slot"]), int(member["offset"]))
        return found


def storage_layout(contract: str) -> Layout:
    """The layout the artifact of ``contract`` records; ``LayoutError`` if it has none."""
    try:
        raw = resources.files(_ARTIFACTS).joinpath(f"{contract}.json").read_bytes()
    except FileNotFoundError:
        raise LayoutError(f"no artifact for contract {contract!r}") from None
    doc = json.loads(raw).get("storageLayout")
    if not doc:
        raise LayoutError(f"the artifact of {contract} has no storage layout: run `make contracts`")
    return Layout(contract, doc)


def mapping_slot(key: bytes, slot: int) -> int:
    """``keccak256(h(k) . p)``: where a mapping's value for the padded key ``key`` starts."""
    return int.from_bytes(keccak(key + slot.to_bytes(WORD, "big")), "big")


def decoded(field: Field, words: Mapping[int, int]) -> Any:
    """The value of ``field`` from the 32-byte words by slot: int, bool, checksummed address or hex."""
    word = words.get(field.slot, 0).to_bytes(WORD, "big")
    raw = word[WORD - field.offset - field.size : WORD - field.offset]
    if field.type == "bool":
        return raw != b"\0"
    if field.type == "address" or field.type.startswith("contract "):
        return to_checksum_address(raw)
    if field.type.startswith(("uint", "enum ")):
        return int.from_bytes(raw, "big")
    if field.type.startswith("int"):
        return int.from_bytes(raw, "big", signed=True)
    return "0x" + raw.hex()


def _key_word(label: str, key: int | bytes) -> bytes:
    """``h(k)``: a value-type key padded to a word (Solidity's mapping rule)."""
    if isinstance(key, int):
        return key.to_bytes(WORD, "big")
    if label == "address" or label.startswith("contract "):
        return key.rjust(WORD, b"\0")
    if len(key) != WORD:
        raise LayoutError(f"a {label} key must be {WORD} bytes, got {len(key)}")
    return key
