"""Inclusion and consistency proofs: hash for hash RFC 9162's, and nothing tampered verifies.

Known answers are Certificate Transparency's reference vectors as kept in transparency-dev/merkle
(formerly Trillian's ``merkle``), ``proof/verify_test.go``: the eight leaves, the roots of sizes
1 to 8, ``inclusionProofs`` and ``consistencyProofs`` (leaf numbers there count from 1, indexes
here from 0). The tampering probes are that file's ``corruptInclusionProof`` and
``corruptConsistencyProof``. The differential tests hold us to ``pymerkle`` 7.0.0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pytest
from ct_vectors import CT_CONSISTENCY, CT_DATA, CT_INCLUSION, CT_ROOTS
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import VerificationError
from ledger.provenance.merkle import (
    EMPTY_ROOT,
    MemoryNodes,
    NodeKey,
    NodeReader,
    append_nodes,
    leaf_hash,
    reference_consistency_proof,
    reference_inclusion_path,
    reference_root,
)
from ledger.provenance.proof import ConsistencyProof, InclusionProof, verify_consistency, verify_inclusion
from ledger.provenance.prover import Prover, consistency_proof, inclusion_proof


def h(text: str) -> bytes:
    return bytes.fromhex(text)


CT_LEAVES = [leaf_hash(d) for d in CT_DATA]

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

MAX_SIZE = 300
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]


def build(leaf_hashes: Sequence[bytes], batch: int = 37) -> MemoryNodes:
    nodes = MemoryNodes()
    for size in range(0, len(leaf_hashes), batch):
        nodes.store(append_nodes(size, leaf_hashes[size : size + batch], nodes))
    return nodes


CT_NODES = build(CT_LEAVES, batch=3)
NODES = build(LEAVES)  # every tree of up to MAX_SIZE leaves reads its nodes from this one store
ROOTS = [reference_root(LEAVES[:n]) for n in range(MAX_SIZE + 1)]


class GuardedReader(NodeReader):
    """Allows one ``get_nodes`` call, of O(log n) nodes, all inside the tree of ``size`` leaves."""

    def __init__(self, size: int) -> None:
        self.size, self.calls = size, 0

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.calls += 1
        assert self.calls == 1, "a proof must read its nodes in one call"
        assert len(keys) <= 2 * max(1, math.ceil(math.log2(self.size))) + 1
        assert all((index + 1) << level <= self.size for level, index in keys), keys
        return NODES.get_nodes(keys)


def flip(digest: bytes, at: int, mask: int = 0x10) -> bytes:
    changed = bytearray(digest)
    changed[at % len(changed)] ^= mask
    return bytes(changed)


# -- known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_ct_inclusion_vectors(index: int, size: int, path: list[str]) -> None:
    expected = [h(x) for x in path]
    assert inclusion_proof(index, size, CT_NODES) == expected
    assert reference_inclusion_path(index, CT_LEAVES[:size]) == expected
    verify_inclusion(CT_LEAVES[index], index, size, expected, CT_ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_ct_consistency_vectors(old: int, new: int, path: list[str]) -> None:
    expected = [h(x) for x in path]
    assert consistency_proof(old, new, CT_NODES) == expected
    assert reference_consistency_proof(old, CT_LEAVES[:new]) == expected
    verify_consistency(old, new, CT_ROOTS[old - 1], CT_ROOTS[new - 1], expected)


def inclusion_probes(index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes) -> list[tuple]:
    """transparency-dev/merkle's ``corruptInclusionProof``: none of these may verify."""
    probes: list[tuple] = [
        (leaf, index - 1, size, proof, root), (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root), (leaf, index, size * 2, proof, root),
        (leaf, index, size // 2, proof, root), (b"WrongLeaf", index, size, proof, root),
        (leaf, index, size, proof, EMPTY_ROOT), (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, b""], root), (leaf, index, size, [*proof, root], root),
        (leaf, index, size, [b"", *proof], root), (leaf, index, size, [root, *proof], root),
    ]  # fmt: skip
    probes += [
        (leaf, index, size, [*proof[:i], flip(p, 0, 8), *proof[i + 1 :]], root) for i, p in enumerate(proof)
    ]
    if proof:
        probes.append((leaf, index, size, proof[:-1], root))
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    return probes


def consistency_probes(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> list[tuple]:
    """transparency-dev/merkle's ``corruptConsistencyProof``: none of these may verify."""
    sizes = [(old - 1, new), (old + 1, new), (old ^ 2, new), (old, new * 2), (old, new // 2)]
    roots = [(b"WrongRoot", new_root), (old_root, b"WrongRoot"), (new_root, old_root)]
    proofs = [[], [*proof, b""], [*proof, old_root], [*proof, new_root], [b"", *proof], [old_root, *proof]]
    proofs += [[new_root, *proof], [proof[0], *proof], proof[:-1]]
    proofs += [[*proof[:i], flip(p, 0), *proof[i + 1 :]] for i, p in enumerate(proof)]
    return (
        [(o, n, old_root, new_root, proof) for o, n in sizes]
        + [(old, new, r1, r2, proof) for r1, r2 in roots]
        + [(old, new, old_root, new_root, p) for p in proofs]
    )


def assert_all_refused(verify: Callable[..., None], probes: list[tuple]) -> None:
    for probe in probes:
        with pytest.raises(VerificationError):
            verify(*probe)


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION[1:])
def test_ct_inclusion_probes_are_refused(index: int, size: int, path: list[str]) -> None:
    proof = [h(x) for x in path]
    assert_all_refused(
        verify_inclusion, inclusion_probes(index, size, proof, CT_ROOTS[size - 1], CT_LEAVES[index])
    )


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY[1:])
def test_ct_consistency_probes_are_refused(old: int, new: int, path: list[str]) -> None:
    proof = [h(x) for x in path]
    probes = consistency_probes(old, new, CT_ROOTS[old - 1], CT_ROOTS[new - 1], proof)
    assert_all_refused(verify_consistency, probes)


# -- the fast code equals the RFC's definitions --------------------------------------------------


def test_every_proof_of_small_trees_is_the_rfcs() -> None:
    for size in range(1, 41):
        for index in range(size):
            assert inclusion_proof(index, size, NODES) == reference_inclusion_path(index, LEAVES[:size])
        for old in range(size + 1):
            assert consistency_proof(old, size, NODES) == reference_consistency_proof(old, LEAVES[:size])


def test_every_proof_up_to_max_size_verifies() -> None:
    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            verify_inclusion(LEAVES[index], index, size, inclusion_proof(index, size, NODES), ROOTS[size])
        for old in range(size + 1):
            verify_consistency(old, size, ROOTS[old], ROOTS[size], consistency_proof(old, size, NODES))


@settings(max_examples=400, deadline=None)
@given(st.integers(1, MAX_SIZE).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_is_the_rfcs_and_verifies(size_index: tuple[int, int]) -> None:
    size, index = size_index
    proof = inclusion_proof(index, size, GuardedReader(size))
    assert proof == reference_inclusion_path(index, LEAVES[:size])
    verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    InclusionProof(index, size, tuple(proof)).verify(LEAVES[index], ROOTS[size])


@settings(max_examples=400, deadline=None)
@given(st.integers(1, MAX_SIZE).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_is_the_rfcs_and_verifies(sizes: tuple[int, int]) -> None:
    old, new = sizes
    proof = consistency_proof(old, new, GuardedReader(new))
    assert proof == reference_consistency_proof(old, LEAVES[:new])
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)
    ConsistencyProof(old, new, tuple(proof)).verify(ROOTS[old], ROOTS[new])


# -- nothing tampered verifies ------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.integers(2, MAX_SIZE), st.data())
def test_any_flipped_byte_breaks_inclusion(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1), "index")
    leaf, root, proof = LEAVES[index], ROOTS[size], inclusion_proof(index, size, NODES)
    target = data.draw(st.integers(-2, len(proof) - 1), "target")  # -2 the leaf, -1 the root
    at, mask = data.draw(st.integers(0, 31), "byte"), data.draw(st.integers(1, 255), "mask")
    if target == -2:
        leaf = flip(leaf, at, mask)
    elif target == -1:
        root = flip(root, at, mask)
    else:
        proof[target] = flip(proof[target], at, mask)
    with pytest.raises(VerificationError, match=f"inclusion proof for leaf {index} of {size} does not lead"):
        verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=400, deadline=None)
@given(st.integers(2, MAX_SIZE), st.data())
def test_any_flipped_byte_breaks_consistency(new: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(1, new - 1), "old")
    old_root, new_root, proof = ROOTS[old], ROOTS[new], consistency_proof(old, new, NODES)
    target = data.draw(st.integers(-2, len(proof) - 1), "target")  # -2 the old root, -1 the new
    at, mask = data.draw(st.integers(0, 31), "byte"), data.draw(st.integers(1, 255), "mask")
    if target == -2:
        old_root = flip(old_root, at, mask)
    elif target == -1:
        new_root = flip(new_root, at, mask)
    else:
        proof[target] = flip(proof[target], at, mask)
    with pytest.raises(VerificationError, match=f"consistency proof from size {old} to {new} does not lead"):
        verify_consistency(old, new, old_root, new_root, proof)


@settings(max_examples=300, deadline=None)
@given(st.integers(2, MAX_SIZE).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_wrong_index_or_size_breaks_inclusion(size_index: tuple[int, int]) -> None:
    size, index = size_index
    proof = inclusion_proof(index, size, NODES)
    assert_all_refused(verify_inclusion, inclusion_probes(index, size, proof, ROOTS[size], LEAVES[index]))


@settings(max_examples=300, deadline=None)
@given(st.integers(2, MAX_SIZE).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_wrong_sizes_or_roots_break_consistency(sizes: tuple[int, int]) -> None:
    old, new = sizes
    proof = consistency_proof(old, new, NODES)
    assert_all_refused(verify_consistency, consistency_probes(old, new, ROOTS[old], ROOTS[new], proof))


def test_failures_say_what_failed() -> None:
    proof = inclusion_proof(5, 8, NODES)
    with pytest.raises(
        VerificationError, match=r"^inclusion proof for leaf 5 of 8 does not lead to the root$"
    ):
        verify_inclusion(LEAVES[4], 5, 8, proof, ROOTS[8])
    with pytest.raises(VerificationError, match=r"^proof has 2 hashes, expected 3$"):
        verify_inclusion(LEAVES[5], 5, 8, proof[:2], ROOTS[8])
    with pytest.raises(VerificationError, match=r"^index 9 out of range for tree size 8$"):
        verify_inclusion(LEAVES[5], 9, 8, proof, ROOTS[8])
    with pytest.raises(VerificationError, match=r"^proof hash 1 is 31 bytes, expected 32$"):
        verify_inclusion(LEAVES[5], 5, 8, [proof[0], proof[1][1:], proof[2]], ROOTS[8])
    with pytest.raises(VerificationError, match=r"^leaf hash is 0 bytes, expected 32$"):
        verify_inclusion(b"", 5, 8, proof, ROOTS[8])
    with pytest.raises(VerificationError, match=r"^old size 9 out of range for new size 8$"):
        verify_consistency(9, 8, ROOTS[8], ROOTS[8], [])
    with pytest.raises(VerificationError, match=r"from size 6 to 8 does not lead to the new root$"):
        verify_consistency(6, 8, ROOTS[6], ROOTS[7], consistency_proof(6, 8, NODES))


def test_trivial_consistency() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    assert consistency_proof(0, 5, NODES) == consistency_proof(5, 5, NODES) == []
    with pytest.raises(VerificationError, match="the old root is not the empty tree's root"):
        verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])
    with pytest.raises(VerificationError, match=r"from size 5 to 5: the old root is not the new root$"):
        verify_consistency(5, 5, ROOTS[4], ROOTS[5], [])
    with pytest.raises(VerificationError, match="proof has 1 hashes, expected 0"):
        verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])


def test_generators_refuse_impossible_requests() -> None:
    with pytest.raises(ValueError, match="index 8 out of range for tree size 8"):
        inclusion_proof(8, 8, NODES)
    with pytest.raises(ValueError, match="index -1 out of range"):
        inclusion_proof(-1, 8, NODES)
    with pytest.raises(ValueError, match="old size 9 out of range for new size 8"):
        consistency_proof(9, 8, NODES)
    with pytest.raises(KeyError, match="is not stored"):  # a tree bigger than the store holds
        inclusion_proof(0, MAX_SIZE + 1, NODES)


# -- the prover: tails kept per tree size --------------------------------------------------------


class ReadLog(NodeReader):
    """NODES, noting how many nodes each read asks for (get_nodes and get_siblings alike)."""

    def __init__(self) -> None:
        self.reads: list[int] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.reads.append(len(keys))
        return NODES.get_nodes(keys)

    def get_siblings(self, level: int, index: int, count: int) -> list[bytes]:
        self.reads.append(count)
        return NODES.get_siblings(level, index, count)


def test_prover_proofs_are_the_rfcs_and_read_once() -> None:
    reader = ReadLog()
    prover = Prover(reader)
    for size in (*range(1, 70), 255, 256, 257, MAX_SIZE):
        for index in (*range(size), *range(size)):  # every tail read first, then kept
            reader.reads.clear()
            assert prover.inclusion_proof(index, size) == reference_inclusion_path(index, LEAVES[:size])
            split = (index ^ (size - 1)).bit_length()
            first = index == next(i for i in range(size) if (i ^ (size - 1)).bit_length() == split)
            assert len(reader.reads) <= 1, "a proof reads its nodes in one call"
            if not first:  # a kept tail: only the stored siblings below the edge are read
                assert reader.reads == ([split - 1] if split > 1 else [])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, MAX_SIZE).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))),
                min_size=1, max_size=40), st.integers(1, 4))
def test_prover_keeps_few_sizes_and_stays_right(requests: list[tuple[int, int]], max_sizes: int) -> None:
    prover = Prover(NODES, max_sizes=max_sizes)
    for index, size in requests:
        proof = prover.inclusion_proof(index, size)
        assert proof == reference_inclusion_path(index, LEAVES[:size])
        verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


def test_prover_refuses_what_inclusion_proof_refuses() -> None:
    prover = Prover(NODES)
    for index, size in [(8, 8), (-1, 8), (0, 0)]:
        with pytest.raises(ValueError, match=f"index {index} out of range for tree size {size}"):
            prover.inclusion_proof(index, size)
    with pytest.raises(KeyError, match="is not stored"):
        prover.inclusion_proof(0, MAX_SIZE + 1)
    with pytest.raises(KeyError, match="is not stored"):
        Prover(build(LEAVES[:8])).inclusion_proof(0, 9)


# -- records ------------------------------------------------------------------------------------


def test_proof_records_round_trip_through_json() -> None:
    inclusion = InclusionProof(5, 8, tuple(inclusion_proof(5, 8, NODES)))
    consistency = ConsistencyProof(6, 8, tuple(consistency_proof(6, 8, NODES)))
    assert inclusion.to_json()["hashes"][0] == "0x" + inclusion.hashes[0].hex()
    assert InclusionProof.from_json(inclusion.to_json()) == inclusion
    assert ConsistencyProof.from_json(consistency.to_json()) == consistency


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"leaf_index": -1}, "leaf_index is not a non-negative integer"),
        ({"tree_size": True}, "tree_size is not a non-negative integer"),
        ({"hashes": "0x00"}, "'hashes' is not a list"),
        ({"hashes": ["00" * 32]}, "hash 0 is not 0x and 64 hex digits"),
        ({"hashes": ["0x" + "zz" * 32]}, "hash 0 is not hex"),
        ({"extra": 1}, "expected exactly the fields leaf_index, tree_size, hashes"),
    ],
)
def test_malformed_proof_records_are_refused(change: dict[str, Any], message: str) -> None:
    obj = {**InclusionProof(5, 8, tuple(inclusion_proof(5, 8, NODES))).to_json(), **change}
    with pytest.raises(VerificationError, match=f"malformed proof: {message}"):
        InclusionProof.from_json(obj)


# -- differential: pymerkle 7.0.0 ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pymerkle() -> ModuleType:
    """pymerkle from the test extras; its absence fails the run, never skips it."""
    try:
        import pymerkle as module
    except ImportError:
        pytest.fail("pymerkle is missing: install the test extras (make test does it)")
    return module


@pytest.fixture(scope="module")
def pymerkle_tree(pymerkle: ModuleType) -> Any:
    # InmemoryTree hashes each entry as SHA-256(0x00 || entry) and nodes as SHA-256(0x01 || l || r),
    # RFC 9162's domain separation, so entry i gives the same leaf hash as ``leaf_hash(entry i)``.
    tree = pymerkle.InmemoryTree.init_from_entries([i.to_bytes(4, "big") for i in range(MAX_SIZE)])
    assert [tree.get_leaf(i + 1) for i in range(MAX_SIZE)] == LEAVES
    return tree


def test_pymerkle_roots_agree(pymerkle_tree: Any) -> None:
    assert [pymerkle_tree.get_root(n) for n in range(1, MAX_SIZE + 1)] == ROOTS[1:]


@settings(max_examples=300, deadline=None)
@given(size_index=st.integers(1, MAX_SIZE).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_pymerkle_inclusion_proofs_agree(
    pymerkle: ModuleType, pymerkle_tree: Any, size_index: tuple[int, int]
) -> None:
    size, index = size_index
    theirs = pymerkle_tree.prove_inclusion(index + 1, size)  # pymerkle counts leaves from 1
    assert theirs.path == [LEAVES[index], *inclusion_proof(index, size, NODES)]  # it leads with the leaf
    pymerkle.verify_inclusion(LEAVES[index], ROOTS[size], theirs)


@settings(max_examples=300, deadline=None)
@given(sizes=st.integers(1, MAX_SIZE).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_pymerkle_consistency_proofs_agree(
    pymerkle: ModuleType, pymerkle_tree: Any, sizes: tuple[int, int]
) -> None:
    # pymerkle's consistency path is not RFC 9162's PROOF (it splits the old tree's last subtree
    # down to a leaf and leads with it), so the two cannot be compared hash for hash: each must
    # instead prove the same pair of roots.
    old, new = sizes
    theirs = pymerkle_tree.prove_consistency(old, new)
    pymerkle.verify_consistency(pymerkle_tree.get_root(old), pymerkle_tree.get_root(new), theirs)
    pymerkle.verify_consistency(ROOTS[old], ROOTS[new], theirs)
    verify_consistency(
        old, new, pymerkle_tree.get_root(old), pymerkle_tree.get_root(new), consistency_proof(old, new, NODES)
    )
