"""Inclusion and consistency proofs over the stored tree (RFC 9162 §2.1.3, §2.1.4), and their checks.

Generating a proof is three steps: *plan* the node keys (pure, from the sizes alone), *fetch*
them with one :meth:`~ledger.merkle.NodeReader.get_nodes` call, *fold* the ephemeral
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
them to the recursive definitions in ``ledger.merkle``).

Verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, return None and raise
:class:`~ledger.errors.VerificationError` naming what failed. Wrong arguments to the generators
(an index past the tree, a shrinking tree) are the caller's bug and raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from hmac import compare_digest
from typing import Any, NamedTuple, Self

from ledger.errors import VerificationError
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, NodeKey, NodeReader, fold_right, node_hash, range_keys


class Plan(NamedTuple):
    """The stored nodes a proof reads, in proof order, and which of them fold into one hash.

    ``keys[fold]``, when more than one key, are the perfect pieces of the proof's one ephemeral
    node, folded right to left (:func:`~ledger.merkle.fold_right`) into one proof hash.
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


class Prover:
    """Inclusion proofs from one store, many per tree size: what they share is read once.

    Every audit path in the tree of ``size`` leaves climbs through perfect subtrees until the
    level where the leaf's ancestors meet the tree's right edge (``split`` in :func:`_path_plan`).
    From there up it is the same for every leaf that meets the edge at that level: the sibling
    holding the last leaf (the one ephemeral node, if any, folded) and the left siblings along
    the edge. A tree has at most log2(size)+1 such *tails*; the prover keeps them, so a proof
    against a tree size it has seen reads only the stored siblings below the edge, one
    :meth:`~ledger.merkle.NodeReader.get_siblings` call, and folds nothing. Stored nodes never
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


# -- verifying ----------------------------------------------------------------------------------


def _check_hash(what: str, digest: bytes) -> None:
    if len(digest) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(digest)} bytes, expected {HASH_SIZE}")


def _check_proof_shape(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) != expected:
        raise VerificationError(f"proof has {len(proof)} hashes, expected {expected}")
    for i, digest in enumerate(proof):
        _check_hash(f"proof hash {i}", digest)


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift both until LSB(fn) is set or fn is 0 (RFC 9162 §2.1.3.2 step 4.b.ii)."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root ``proof`` leads to from leaf ``index`` of ``size`` (RFC 9162 §2.1.3.2 steps 2 to 5).

    None when the proof does not fit the tree's shape (too long, or ``sn`` not 0 at the end).
    """
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_while_even(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree (``size``, ``root``).

    RFC 9162 §2.1.3.2, after checking the proof has exactly the hashes PATH(index, D[size]) has.
    """
    if not 0 <= index < size:
        raise VerificationError(f"index {index} out of range for tree size {size}")
    _check_hash("leaf hash", leaf)
    _check_hash("root", root)
    _check_proof_shape(proof, _path_plan(0, index, size).hash_count)
    found = root_from_inclusion_proof(leaf, index, size, proof)
    if found is None or not compare_digest(found, root):
        raise VerificationError(f"inclusion proof for leaf {index} of {size} does not lead to the root")


def _roots_from_consistency_path(
    old_size: int, new_size: int, path: Sequence[bytes]
) -> tuple[bytes, bytes] | None:
    """(fr, sr) of RFC 9162 §2.1.4.2 steps 3 to 7, ``path`` already prefixed by step 2; None if misshapen."""
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _shift_while_even(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``new_size``, ``new_root``) extends (``old_size``, ``old_root``).

    RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``, after checking the proof has exactly the
    hashes PROOF(old_size, D[new_size]) has. Equal sizes need equal roots and an empty proof; a
    tree grown from empty needs an empty proof and ``old_root`` = SHA-256("").
    """
    if not 0 <= old_size <= new_size:
        raise VerificationError(f"old size {old_size} out of range for new size {new_size}")
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    _check_proof_shape(proof, consistency_plan(old_size, new_size).hash_count)
    span = f"consistency proof from size {old_size} to {new_size}"
    if old_size in (0, new_size):  # no proof to run: the old root is known outright
        known, name = (EMPTY_ROOT, "the empty tree's root") if old_size == 0 else (new_root, "the new root")
        if not compare_digest(old_root, known):
            raise VerificationError(f"{span}: the old root is not {name}")
        return
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else proof  # step 2
    found = _roots_from_consistency_path(old_size, new_size, path)
    if found is None or not compare_digest(found[0], old_root):
        raise VerificationError(f"{span} does not lead to the old root")
    if not compare_digest(found[1], new_root):
        raise VerificationError(f"{span} does not lead to the new root")


# -- the proofs as records ----------------------------------------------------------------------


def _hashes_to_json(hashes: Sequence[bytes]) -> list[str]:
    return ["0x" + digest.hex() for digest in hashes]


def _hashes_from_json(value: object) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise VerificationError("malformed proof: 'hashes' is not a list")
    out = []
    for i, text in enumerate(value):
        if not (isinstance(text, str) and len(text) == 2 + 2 * HASH_SIZE and text.startswith("0x")):
            raise VerificationError(f"malformed proof: hash {i} is not 0x and {2 * HASH_SIZE} hex digits")
        try:
            out.append(bytes.fromhex(text[2:]))
        except ValueError:
            raise VerificationError(f"malformed proof: hash {i} is not hex") from None
    return tuple(out)


def _fields_from_json(obj: Mapping[str, Any], names: tuple[str, str]) -> tuple[int, int, tuple[bytes, ...]]:
    """The two counts named ``names`` and the hashes, or VerificationError saying what is wrong."""
    if not isinstance(obj, Mapping) or set(obj) != {*names, "hashes"}:
        raise VerificationError(f"malformed proof: expected exactly the fields {', '.join(names)}, hashes")
    counts = [obj[name] for name in names]
    for name, value in zip(names, counts, strict=True):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise VerificationError(f"malformed proof: {name} is not a non-negative integer")
    return counts[0], counts[1], _hashes_from_json(obj["hashes"])


@dataclass(frozen=True)
class InclusionProof:
    """Leaf ``leaf_index`` is in the tree of ``tree_size`` leaves: PATH (RFC 9162 §2.1.3.1)."""

    leaf_index: int
    tree_size: int
    hashes: tuple[bytes, ...]

    def verify(self, leaf: bytes, root: bytes) -> None:
        """:func:`verify_inclusion` of ``leaf`` (a leaf hash) against ``root``."""
        verify_inclusion(leaf, self.leaf_index, self.tree_size, self.hashes, root)

    def to_json(self) -> dict[str, Any]:
        """``{"leaf_index", "tree_size", "hashes": ["0x…", …]}``, ready for ``json.dumps``."""
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "hashes": _hashes_to_json(self.hashes),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """The proof :meth:`to_json` wrote; VerificationError if ``obj`` is not one."""
        return cls(*_fields_from_json(obj, ("leaf_index", "tree_size")))


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of ``new_size`` leaves extends that of ``old_size``: PROOF (RFC 9162 §2.1.4.1)."""

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...]

    def verify(self, old_root: bytes, new_root: bytes) -> None:
        """:func:`verify_consistency` between ``old_root`` and ``new_root``."""
        verify_consistency(self.old_size, self.new_size, old_root, new_root, self.hashes)

    def to_json(self) -> dict[str, Any]:
        """``{"old_size", "new_size", "hashes": ["0x…", …]}``, ready for ``json.dumps``."""
        return {"old_size": self.old_size, "new_size": self.new_size, "hashes": _hashes_to_json(self.hashes)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """The proof :meth:`to_json` wrote; VerificationError if ``obj`` is not one."""
        return cls(*_fields_from_json(obj, ("old_size", "new_size")))
