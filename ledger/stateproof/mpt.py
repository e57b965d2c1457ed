"""Merkle-Patricia trie proofs (Ethereum Yellow Paper, appendix D), checked by py-trie.

A proof is the list of RLP-encoded nodes on a key's path, as EIP-1186 ``eth_getProof`` returns
them. py-trie's ``HexaryTrie.get_from_proof`` walks them from ``root``, finding each node by the
keccak-256 of its encoding, so the only thing trusted is the root: a node that does not hash to
the link its parent holds is missing, and the proof fails. A walk that leaves the trie (an empty
branch slot, a leaf or extension whose path differs) proves the key absent: the empty value.

The path of a key in the state trie and in a storage trie ("secure" tries) is the keccak-256 of
the key.
"""

from __future__ import annotations

from collections.abc import Sequence

import rlp
from eth_utils.crypto import keccak
from trie.hexary import HexaryTrie

from ledger.stateproof.errors import ProofFailed

BLANK_ROOT = keccak(rlp.encode(b""))
"""The root of an empty trie: keccak256(RLP(""))."""


def proven_value(root: bytes, key: bytes, proof: Sequence[bytes], what: str) -> bytes:
    """The value at ``keccak(key)`` in the trie with ``root``, or ``b""`` if it is proved absent.

    Raises ``ProofFailed`` (naming ``what``) if a node is missing or malformed."""
    if root == BLANK_ROOT:
        return b""
    try:
        value = HexaryTrie.get_from_proof(root, keccak(key), [rlp.decode(node) for node in proof])  # type: ignore[no-untyped-call]
    except Exception as exc:  # py-trie and rlp raise several types for a bad node: all mean the same here
        raise ProofFailed(f"{what}: {exc}") from exc
    return bytes(value)
