"""Generating inclusion and consistency proofs from the stored tree (RFC 9162 §2.1.3.1, §2.1.4.1).

Generating a proof is three steps: *plan* the node keys (pure, from the sizes alone), *fetch*
them with one :meth:`~ledger.provenance.merkle.NodeReader.get_nodes` call, *fold* the ephemeral
right-edge node from its perfect pieces. Plans walk the tree as if it were complete: at each
level the path needs the sibling of the current node; a sibling that starts past the end of the
tree does not exist (RFC 9162's tree has no node there, the path skips the level), one that ends
past it is the ephemeral node over ``[start, size)``. At most one path element is ephemeral, so
a proof reads ≤ 2·log2(size) stored nodes.

A log serves many proofs against one checkpoint, and their paths share their upper ends: a
:class:`Prover` keeps those (each tree size's right-edge *tails*), so a proof it serves reads
only the stored siblings below the right edge and folds nothing.

A consistency proof from ``m`` to ``n`` is the last perfect subtree of the old tree, ``[m - 2^t,
m)`` with ``2^t`` the lowest set bit of ``m`` (left out when ``m`` is a power of two: it is then
the old root, which the verifier holds), followed by that subtree's inclusion path in the new
tree. Both equal RFC 9162's PATH and PROOF hash for hash (``tests/ledger/test_proof.py`` holds
them to the recursive definitions in ``ledger.provenance.merkle``). Checking proofs is :mod:`ledger.provenance.proof`.
Wrong arguments (an index past the tree, a shrinking tree) are the caller's bug: ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from ledger.provenance.merkle import NodeKey, NodeReader, fold_right, range_keys


class Plan(NamedTuple):
    """The stored nodes a proof reads, in proof order, and which of them fold into one hash.

    ``keys[fold]``, when more than one key, are the perfect pieces of the proof's one ephemeral
    node, folded right to left (:func:`~ledger.provenance.merkle.fold_right`) into one proof hash.
    """

    keys: list[NodeKey]
    fold: slice

    @property
    def hash_count(self) -> int:
        """How many hashes the proof has."""
        folded: int = self.fold.stop - self.fold.start
        return len(self.keys) - max(0, folded - 1)


_NO_FOLD = slice(0, 0)


# -- planning: which stored nodes a proof needs -------------------------------------------------


def _path_plan(level: int, index: int, size: int) -> Plan:
    """The siblings from node ``(level, index)`` up to the root of the tree of ``size`` leaves.

    Seen from ``level``, the tree's last node is ``last``. Below the level where ``index`` and
    ``last`` part (``split``), every sibling lies in a complete subtree: stored. At ``split`` the
    sibling is the right subtree holding ``last``, ephemeral unless ``size`` fills it. Above it
    the path runs up the right edge: where ``index`` is a right child its left sibling is
    stored; where it is a left child there is no right sibling and RFC 9162 skips the level.
    """
    last = (size - 1) >> level
    split = (index ^ last).bit_length()
    keys = [(level + d, (index >> d) ^ 1) for d in range(split - 1)]
    fold = _NO_FOLD
    if split:
        top = level + split - 1
        sibling = (index >> (split - 1)) ^ 1
        start = sibling << top
        if start + (1 << top) <= size:
            keys.append((top, sibling))
        else:
            pieces = range_keys(start, size)
            fold = slice(len(keys), len(keys) + len(pieces))
            keys += pieces
    keys += [(level + d, (index >> d) ^ 1) for d in range(split, last.bit_length()) if index >> d & 1]
    return Plan(keys, fold)


def inclusion_plan(index: int, size: int) -> Plan:
    """The stored nodes behind PATH(index, D[size]) (RFC 9162 §2.1.3.1), deepest first."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} out of range for tree size {size}")
    return _path_plan(0, index, size)


def consistency_plan(old_size: int, new_size: int) -> Plan:
    """The stored nodes behind PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1).

    That is the old tree's last perfect subtree (left out when it is the whole old tree: the
    verifier holds the old root) followed by its path in the new tree. Empty when ``old_size``
    is 0 or ``new_size``: those trees are consistent with no proof.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"old size {old_size} out of range for new size {new_size}")
    if old_size in (0, new_size):
        return Plan([], _NO_FOLD)
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    path = _path_plan(level, index, new_size)
    if index == 0:
        return path
    fold = slice(path.fold.start + 1, path.fold.stop + 1) if path.fold.stop else _NO_FOLD
    return Plan([(level, index), *path.keys], fold)


# -- generating: one read, then fold ------------------------------------------------------------


def _fetch(plan: Plan, reader: NodeReader) -> list[bytes]:
    """The plan's hashes from one ``get_nodes`` call, the ephemeral node folded."""
    if not plan.keys:
        return []
    hashes = list(reader.get_nodes(plan.keys))
    if plan.fold.stop - plan.fold.start > 1:
        hashes[plan.fold] = [fold_right(hashes[plan.fold])]
    return hashes


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1) from ≤ 2·log2(size) stored nodes, one read."""
    return _fetch(inclusion_plan(index, size), reader)


def consistency_proof(old_size: int, new_size: int, reader: NodeReader) -> list[bytes]:
    """PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1) from ≤ 2·log2(new_size)+1 nodes, one read."""
    return _fetch(consistency_plan(old_size, new_size), reader)


SizeProof = list[tuple[bytes, list[bytes]]]
"""Per perfect subtree of a tree's decomposition: its leftmost leaf's data, the siblings up its left spine."""


def size_proof(size: int, reader: NodeReader, leaf_data: Callable[[Sequence[int]], list[bytes]]) -> SizeProof:
    """The proof that a root is of exactly ``size`` leaves (checked by :func:`~ledger.provenance.proof.verify_size`).

    For each perfect subtree the tree of ``size`` is made of (:func:`~ledger.provenance.merkle.range_keys`),
    the data of its leftmost leaf and the right siblings up its left spine, one per level: O(log² n)
    hashes, O(log n) leaves. ``leaf_data`` returns the data of the leaves at the given indexes.
    """
    pieces = range_keys(0, size)
    spines = [[(j, ((index << level) >> j) + 1) for j in range(level)] for level, index in pieces]
    hashes = iter(reader.get_nodes([key for spine in spines for key in spine]))
    leaves = leaf_data([index << level for level, index in pieces])
    return [(data, [next(hashes) for _ in spine]) for data, spine in zip(leaves, spines, strict=True)]


class Prover:
    """Inclusion proofs from one store, many per tree size: what they share is read once.

    Every audit path in the tree of ``size`` leaves climbs through perfect subtrees until the
    level where the leaf's ancestors meet the tree's right edge (``split`` in :func:`_path_plan`).
    From there up it is the same for every leaf that meets the edge at that level: the sibling
    holding the last leaf (the one ephemeral node, if any, folded) and the left siblings along
    the edge. A tree has at most log2(size)+1 such *tails*; the prover keeps them, so a proof
    against a tree size it has seen reads only the stored siblings below the edge, one
    :meth:`~ledger.provenance.merkle.NodeReader.get_siblings` call, and folds nothing. Stored nodes never
    change, so a kept tail never goes stale; past ``max_sizes`` tree sizes the oldest size's
    tails are dropped.
    """

    def __init__(self, reader: NodeReader, max_sizes: int = 16) -> None:
        self.reader = reader
        self.max_sizes = max_sizes
        self._tails: dict[int, list[list[bytes] | None]] = {}  # size -> tail by split, None if unread

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 §2.1.3.1), equal to :func:`inclusion_proof`'s, in one read."""
        if not 0 <= index < size:
            raise ValueError(f"index {index} out of range for tree size {size}")
        split = (index ^ (size - 1)).bit_length()
        tails = self._tails.get(size)
        tail = tails[split] if tails else None
        if tail is None:
            return self._first(index, size, split)
        if split < 2:
            return list(tail)
        path = list(self.reader.get_siblings(0, index, split - 1))
        path += tail
        return path

    def _first(self, index: int, size: int, split: int) -> list[bytes]:
        """The first proof to meet the edge of ``size`` at ``split``: all of it read, its tail kept."""
        path = inclusion_proof(index, size, self.reader)
        if size not in self._tails:
            if len(self._tails) >= self.max_sizes:
                del self._tails[next(iter(self._tails))]  # the oldest tree size met
            self._tails[size] = [None] * (size.bit_length() + 1)
        self._tails[size][split] = path[max(0, split - 1) :]
        return path
