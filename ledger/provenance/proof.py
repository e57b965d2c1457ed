"""Inclusion and consistency proofs as records, and their checks (RFC 9162 §2.1.3.2, §2.1.4.2).

Verifiers follow the RFC step by step, after checking that a proof has exactly the hashes the
tree's shape calls for; they return None and raise :class:`~ledger.errors.VerificationError`
naming what failed. They need nothing but the proof, the leaf or roots and the sizes: an auditor
holding a witness and the chain runs them without the store. Generating proofs is
:mod:`ledger.provenance.prover`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from hmac import compare_digest
from typing import Any, Self

from ledger.errors import VerificationError
from ledger.provenance.merkle import EMPTY_ROOT, HASH_SIZE, fold_right, leaf_hash, node_hash, range_keys
from ledger.provenance.prover import consistency_plan, inclusion_plan

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
    _check_proof_shape(proof, inclusion_plan(index, size).hash_count)
    found = root_from_inclusion_proof(leaf, index, size, proof)
    if found is None or not compare_digest(found, root):
        raise VerificationError(f"inclusion proof for leaf {index} of {size} does not lead to the root")


def verify_size(size: int, root: bytes, proof: Sequence[tuple[bytes, Sequence[bytes]]]) -> None:
    """Check that ``root`` is of a tree of exactly ``size`` leaves.

    An RFC 9162 root does not commit to its size, and the §2.1.3.2 and §2.1.4.2 verifiers (which
    consume their paths exactly, as here and in ``ProvenanceLog``) accept proofs against a root
    presented with another size: the root of 7 leaves verifies as a tree of 8 whose last node is leaf
    6's hash, that of 25 as one of 145 whose first subtree of 128 is really one of 16. What pins the
    size is the height of each perfect subtree the size decomposes into: the proof gives, for each,
    the *data* of its leftmost leaf (hashed here with the 0x00 prefix of §2.1.1) and one sibling per
    level up its left spine. A spine of the wrong height would need a leaf hash to equal a node hash.
    Folding the spines' tops as §2.1.1 folds the subtrees must give ``root``.
    ``ProvenanceLog.sizeBound`` is the same check, required by every anchor.
    """
    heights = [level for level, _ in range_keys(0, size)] if size > 0 else []
    if not heights or len(proof) != len(heights):
        raise VerificationError(f"the root is not of a tree of {size} leaves: the proof has {len(proof)} "
                                f"subtrees, a tree of {size} is made of {len(heights)}")
    tops = []
    for height, (data, spine) in zip(heights, proof, strict=True):
        if len(spine) != height:
            raise VerificationError(f"the root is not of a tree of {size} leaves: a spine of {len(spine)} "
                                    f"hashes for a subtree of height {height}")
        tops.append(functools.reduce(node_hash, spine, leaf_hash(data)))
    if not compare_digest(fold_right(tops), root):
        raise VerificationError(f"the root is not of a tree of {size} leaves")


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
