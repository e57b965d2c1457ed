"""Merkle-Patricia trie proofs, checked from the root down (Ethereum Yellow Paper, appendix D).

A proof is the list of RLP-encoded nodes on a key's path, as EIP-1186 ``eth_getProof`` returns
them. A node is found by the keccak-256 of its encoding, so the only thing trusted is ``root``:
every node must hash to the link its parent holds. Nodes whose encoding is shorter than 32 bytes
are embedded in their parent (appendix D, the function *c*) and need no entry of their own.

The path of a key in the state trie and in a storage trie ("secure" tries) is the keccak-256 of
the key, read as nibbles. A walk ends in one of two ways: at a leaf (or a branch's value) holding
the value, or where the path leaves the trie (an empty branch slot, or a leaf or extension whose
nibbles differ), which proves the key absent: the empty value ``b""``.

Nibble paths in leaf and extension nodes use hex-prefix encoding (appendix C): the first nibble's
bit 1 flags a leaf, its bit 0 an odd number of nibbles (then the second nibble is the first of the
path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rlp
from eth_utils.crypto import keccak
from rlp.exceptions import DecodingError

from ledger.stateproof.errors import ProofFailed

BLANK_ROOT = keccak(rlp.encode(b""))
"""The root of an empty trie: keccak256(RLP(""))."""

BRANCH_WIDTH = 17  # sixteen children and a value
LEAF_FLAG = 2
ODD_FLAG = 1


def proven_value(root: bytes, key: bytes, proof: Sequence[bytes], what: str) -> bytes:
    """The value at ``keccak(key)`` in the trie with ``root``, or ``b""`` if it is proved absent.

    Raises ``ProofFailed`` (naming ``what``) if a node is missing or malformed."""
    if root == BLANK_ROOT:
        return b""
    nodes = {keccak(node): node for node in proof}
    return _walk(_decoded(nodes, root, what, 0), _nibbles(keccak(key)), nodes, what)


def _walk(node: list[Any], path: list[int], nodes: dict[bytes, bytes], what: str) -> bytes:
    depth = 0
    while True:
        depth += 1
        if len(node) == BRANCH_WIDTH:
            if not path:
                return bytes(node[16])
            child, path = node[path[0]], path[1:]
        elif len(node) == 2:
            nibbles, leaf = _hex_prefix(node[0], what)
            if leaf:
                return bytes(node[1]) if path == nibbles else b""
            if path[: len(nibbles)] != nibbles:
                return b""
            child, path = node[1], path[len(nibbles) :]
        else:
            raise ProofFailed(f"{what}: node {depth} has {len(node)} items, not a trie node")
        if child == b"":
            return b""
        node = child if isinstance(child, list) else _decoded(nodes, bytes(child), what, depth)


def _decoded(nodes: dict[bytes, bytes], link: bytes, what: str, depth: int) -> list[Any]:
    """The node ``link`` (a 32-byte hash) names; ``ProofFailed`` if no node in the proof hashes to it."""
    if len(link) != 32 or link not in nodes:
        where = "the root" if depth == 0 else f"the link in node {depth}"
        raise ProofFailed(f"{what}: no node in the proof hashes to {where} 0x{link.hex()}")
    try:
        decoded = rlp.decode(nodes[link])
    except DecodingError as exc:
        raise ProofFailed(f"{what}: node 0x{link.hex()} is not RLP: {exc}") from exc
    if not isinstance(decoded, list):
        raise ProofFailed(f"{what}: node 0x{link.hex()} is not a list")
    return decoded


def _hex_prefix(encoded: Any, what: str) -> tuple[list[int], bool]:
    """(nibbles, is a leaf) of a hex-prefix encoded path (Yellow Paper, appendix C)."""
    if not isinstance(encoded, bytes) or not encoded:
        raise ProofFailed(f"{what}: a leaf or extension node has no path")
    nibbles = _nibbles(encoded)
    flags = nibbles[0]
    start = 1 if flags & ODD_FLAG else 2
    return nibbles[start:], bool(flags & LEAF_FLAG)


def _nibbles(data: bytes) -> list[int]:
    return [half for byte in data for half in (byte >> 4, byte & 0x0F)]
