"""The provenance log's Merkle tree: RFC 9162 (Certificate Transparency v2) §2.1 hashing.

Storage model. Only hashes of *perfect* subtrees are stored, each addressed by a
:data:`NodeKey` ``(level, index)``: the hash of leaves ``[index·2^level, (index+1)·2^level)``;
level 0 holds the leaf hashes. A node is stored once all its leaves are in the log and never
changes afterwards, so a store only ever grows. The tree of any size ``n`` is then made of:

- perfect nodes, read from the store;
- *ephemeral* nodes on its right edge (``[start, n)`` with ``n - start`` not a power of two),
  folded on demand from the O(log n) perfect subtrees that decompose them (:func:`range_keys`).

Reading goes through :class:`NodeReader`, one batched call per proof or root, so a SQL store
answers with one query: ``get_nodes`` for any keys, ``get_siblings`` for the part of an audit
path that climbs through perfect subtrees. :class:`MemoryNodes` is the in-memory store for tests
and benchmarks.
:func:`append_nodes` turns a batch of new leaf hashes into the nodes to store, reading only
the right border of the current tree.

The ``reference_*`` functions are RFC 9162's recursive definitions written out literally: slow
and obvious, for tests to hold the fast code to (DESIGN §6.10). Proofs are made in ``ledger.provenance.prover``
and checked in ``ledger.provenance.proof``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from operator import getitem
from typing import Protocol

NodeKey = tuple[int, int]
"""``(level, index)``: the perfect subtree over leaves ``[index·2^level, (index+1)·2^level)``."""

HASH_SIZE = 32
"""SHA-256 output length; every leaf, node and root hash has it."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 §2.1.1)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 §2.1.1)."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) (RFC 9162 §2.1.1)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than ``n`` (``n > 1``), where RFC 9162 §2.1.1 splits."""
    return 1 << ((n - 1).bit_length() - 1)


# -- the slow, obvious reference (tests only) ------------------------------------------------


def reference_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) by the recursive definition of RFC 9162 §2.1.1."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return node_hash(reference_root(leaf_hashes[:k]), reference_root(leaf_hashes[k:]))


def reference_inclusion_path(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) by the recursive definition of RFC 9162 §2.1.3.1."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"index {index} out of range for tree size {n}")
    if n == 1:
        return []
    k = split_point(n)
    if index < k:
        return [*reference_inclusion_path(index, leaf_hashes[:k]), reference_root(leaf_hashes[k:])]
    return [*reference_inclusion_path(index - k, leaf_hashes[k:]), reference_root(leaf_hashes[:k])]


def reference_consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1); empty when m is 0 or n."""
    if not 0 <= old_size <= len(leaf_hashes):
        raise ValueError(f"old size {old_size} out of range for tree size {len(leaf_hashes)}")
    if old_size == 0:
        return []
    return _reference_subproof(old_size, leaf_hashes, True)


def _reference_subproof(m: int, leaf_hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) (RFC 9162 §2.1.4.1)."""
    n = len(leaf_hashes)
    if m == n:
        return [] if whole else [reference_root(leaf_hashes)]
    k = split_point(n)
    if m <= k:
        return [*_reference_subproof(m, leaf_hashes[:k], whole), reference_root(leaf_hashes[k:])]
    return [*_reference_subproof(m - k, leaf_hashes[k:], False), reference_root(leaf_hashes[:k])]


# -- the store of perfect subtrees -----------------------------------------------------------


StoredNode = tuple[int, int, bytes]
"""``(level, index, hash)``: one perfect subtree's hash, as :func:`append_nodes` hands it to the store."""


class NodeReader(Protocol):
    """Where perfect-subtree hashes are read from (a SQL table, or :class:`MemoryNodes`)."""

    def get_nodes(self, keys: Sequence[NodeKey]) -> Sequence[bytes]:
        """The hashes of ``keys``, in the same order, in one round trip.

        Keys may repeat. A key that is not stored is an error of the store (the caller asked
        about leaves the log does not hold); it must raise, never return a placeholder.
        """
        ...

    def get_siblings(self, level: int, index: int, count: int) -> Sequence[bytes]:
        """The siblings of node ``(level, index)`` and of its next ``count - 1`` ancestors, in one read.

        That is keys ``(level + d, (index >> d) ^ 1)`` for ``d < count``: the part of an audit
        path that lies in perfect subtrees. All must be stored, as for :meth:`get_nodes`, which
        this default reads them through; a store that can answer faster overrides it.
        """
        return self.get_nodes([(level + d, (index >> d) ^ 1) for d in range(count)])


class MemoryNodes(NodeReader):
    """A :class:`NodeReader` in memory, one list of hashes per level, for tests and benchmarks.

    Like the log it is append-only: a level's nodes are stored in index order (as
    :func:`append_nodes` yields them) and never change.
    """

    def __init__(self) -> None:
        self._levels: list[list[bytes]] = []

    def store(self, nodes: Iterable[StoredNode]) -> None:
        """Keep ``nodes``; ValueError for a gap in a level or a stored node with another hash."""
        levels = self._levels
        for level, index, digest in nodes:
            while len(levels) <= level:
                levels.append([])
            row = levels[level]
            if index == len(row):
                row.append(digest)
            elif not (0 <= index < len(row) and row[index] == digest):
                raise ValueError(f"node ({level}, {index}) would leave a gap or change a stored hash")

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """The hashes of ``keys``; KeyError naming the first that is not stored."""
        levels = self._levels
        try:
            if all(level >= 0 and index >= 0 for level, index in keys):
                return [levels[level][index] for level, index in keys]
        except IndexError:
            pass
        missing = next(k for k in keys if not (0 <= k[0] < len(levels) and 0 <= k[1] < len(levels[k[0]])))
        raise KeyError(f"node (level, index) = {missing} is not stored")

    def get_siblings(self, level: int, index: int, count: int) -> list[bytes]:
        """As :meth:`NodeReader.get_siblings`, straight from the level lists; KeyError as :meth:`get_nodes`."""
        rows = self._levels[level : level + count] if level >= 0 and index >= 0 else []
        if len(rows) == count:
            try:
                return [*map(getitem, rows, [index >> d ^ 1 for d in range(count)])]
            except IndexError:
                pass
        return list(NodeReader.get_siblings(self, level, index, count))  # names the missing node

    def __len__(self) -> int:
        return sum(map(len, self._levels))


def range_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees that make up MTH(D[start:end]), left to right.

    ``start`` must be a multiple of a power of two at least ``end - start``, as every subtree
    of the RFC 9162 §2.1.1 recursion is; then the pieces follow the set bits of the width,
    largest first, and folding them right to left (:func:`fold_right`) gives that subtree's hash.
    """
    keys: list[NodeKey] = []
    width = end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """node_hash(h0, node_hash(h1, … node_hash(h[-2], h[-1]))): one right-edge subtree's hash."""
    digest = hashes[-1]
    for left in reversed(hashes[:-1]):
        digest = _sha256(_NODE_PREFIX + left + digest).digest()
    return digest


def root(size: int, reader: NodeReader) -> bytes:
    """MTH(D[size]) (RFC 9162 §2.1.1) from the ≤ log2(size)+1 perfect subtrees that make it up."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return fold_right(reader.get_nodes(range_keys(0, size)))


def append_nodes(size: int, leaf_hashes: Sequence[bytes], reader: NodeReader) -> list[StoredNode]:
    """The perfect subtrees completed by appending ``leaf_hashes`` to a tree of ``size`` leaves.

    The new leaves (level 0: a store keeping leaf hashes with the events may skip them) and,
    level by level, every parent whose leaves are now all present: at most ``2·len(leaf_hashes)
    + log2(size)`` nodes, from one read of the current tree's right border (≤ log2(size)+1
    nodes). Store them all before publishing the new size: its proofs may need any of them.
    """
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if not leaf_hashes:
        return []
    border_keys = range_keys(0, size)
    border = dict(zip(border_keys, reader.get_nodes(border_keys) if size else [], strict=True))
    new: list[StoredNode] = []
    level, first, hashes = 0, size, list(leaf_hashes)
    while hashes:
        new.extend((level, first + i, digest) for i, digest in enumerate(hashes))
        if first & 1:  # the left sibling of the first new node was complete already
            first -= 1
            hashes.insert(0, border[(level, first)])
        pairs = zip(hashes[::2], hashes[1::2], strict=False)  # an unpaired last node is not complete yet
        hashes = [_sha256(_NODE_PREFIX + left + right).digest() for left, right in pairs]
        level, first = level + 1, first >> 1
    return new
