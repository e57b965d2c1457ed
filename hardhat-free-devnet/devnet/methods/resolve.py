"""Turning block references into headers, shared by the method groups."""

from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI

from devnet import params
from devnet.errors import UnknownBlock
from devnet.node import Node

_HEAD_TAGS = frozenset({"latest", "pending", "safe", "finalized"})


def header_for(node: Node, ref: params.BlockRef) -> BlockHeaderAPI | None:
    """The canonical header ``ref`` names, or None. "pending" means the head."""
    if ref.hash is not None:
        return node.header_by_hash(ref.hash)
    if ref.tag in _HEAD_TAGS:
        return node.head()
    if ref.tag == "earliest":
        return node.header_by_number(0)
    assert ref.number is not None
    return node.header_by_number(ref.number)


def required_header(node: Node, ref: params.BlockRef) -> BlockHeaderAPI:
    """Like ``header_for``, but ``UnknownBlock`` instead of None."""
    header = header_for(node, ref)
    if header is None:
        raise UnknownBlock(f"header not found: {_describe(ref)}")
    return header


def header_param(node: Node, value: Any) -> BlockHeaderAPI:
    """``required_header`` of a raw block parameter (tag, number or EIP-1898 object)."""
    return required_header(node, params.block_ref(value))


def _describe(ref: params.BlockRef) -> str:
    if ref.hash is not None:
        return "0x" + ref.hash.hex()
    return ref.tag if ref.tag is not None else str(ref.number)
