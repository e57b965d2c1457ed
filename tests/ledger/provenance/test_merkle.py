"""The Merkle tree's hashing, storage of perfect subtrees, appends and roots (RFC 9162 §2.1.1).

Known answers come from Certificate Transparency's reference tests as kept in
transparency-dev/merkle (formerly Trillian's ``merkle/rfc6962``): ``rfc6962/rfc6962_test.go``
for the hashes and ``proof/verify_test.go`` for the eight leaves and the roots of sizes 1 to 8
(first written for CT's ``merkle_tree_test.cc``). RFC 6962 and RFC 9162 hash identically.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pytest
from ct_vectors import CT_DATA, CT_ROOTS
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.provenance.merkle import (
    EMPTY_ROOT,
    MemoryNodes,
    NodeKey,
    NodeReader,
    append_nodes,
    fold_right,
    leaf_hash,
    node_hash,
    range_keys,
    reference_root,
    root,
    split_point,
)


def hashes(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def build(leaf_hashes: Sequence[bytes], batch: int | None = None) -> MemoryNodes:
    nodes = MemoryNodes()
    step = batch or max(1, len(leaf_hashes))
    for size in range(0, len(leaf_hashes), step):
        nodes.store(append_nodes(size, leaf_hashes[size : size + step], nodes))
    return nodes


class CountingReader(NodeReader):
    """Records every ``get_nodes`` call, to hold the O(log n), one-read promises."""

    def __init__(self, inner: MemoryNodes) -> None:
        self.inner = inner
        self.calls: list[list[NodeKey]] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.calls.append(list(keys))
        return self.inner.get_nodes(keys)


def test_hashes_known_answers() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert leaf_hash(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert (
        node_hash(b"N123", b"N456").hex()
        == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_domain_separation() -> None:
    left, right = leaf_hash(b"Hello"), leaf_hash(b"World")
    assert node_hash(left, right) != leaf_hash(left + right)
    assert node_hash(left, right) != node_hash(right, left)
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


def test_split_point() -> None:
    assert [split_point(n) for n in range(2, 11)] == [1, 2, 2, 4, 4, 4, 4, 8, 8]


@pytest.mark.parametrize("batch", [None, 1, 3])
def test_ct_roots(batch: int | None) -> None:
    leaves = [leaf_hash(d) for d in CT_DATA]
    nodes = build(leaves, batch)
    assert [reference_root(leaves[:n]) for n in range(1, 9)] == CT_ROOTS
    assert [root(n, nodes) for n in range(1, 9)] == CT_ROOTS
    assert reference_root([]) == root(0, nodes) == EMPTY_ROOT


def test_every_stored_node_is_its_perfect_subtree() -> None:
    leaves = hashes(100)
    stored = append_nodes(0, leaves, MemoryNodes())
    assert len(stored) == 2 * 100 - bin(100).count("1")  # every complete node, once
    for level, index, digest in stored:
        assert (index + 1) << level <= 100
        assert digest == reference_root(leaves[index << level : (index + 1) << level])


def test_root_reads_once_and_logarithmically() -> None:
    reader = CountingReader(build(hashes(1000)))
    assert root(1000, reader) == reference_root(hashes(1000))
    assert reader.calls == [[(9, 0), (8, 2), (7, 6), (6, 14), (5, 30), (3, 124)]]  # 1000 = 0b1111101000
    assert root(0, reader) == EMPTY_ROOT
    assert len(reader.calls) == 1


def test_append_reads_only_the_right_border() -> None:
    nodes = build(hashes(13))
    reader = CountingReader(nodes)
    new = append_nodes(13, hashes(20)[13:], reader)
    assert reader.calls == [[(3, 0), (2, 2), (0, 12)]]
    nodes.store(new)
    assert root(20, nodes) == reference_root(hashes(20))
    reader.calls.clear()
    assert append_nodes(0, [], reader) == append_nodes(20, [], reader) == []
    assert reader.calls == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=25))
def test_batched_appends_give_the_reference_root(batches: list[int]) -> None:
    leaves = hashes(sum(batches))
    nodes, size = MemoryNodes(), 0
    for batch in batches:
        nodes.store(append_nodes(size, leaves[size : size + batch], nodes))
        size += batch
        assert root(size, nodes) == reference_root(leaves[:size])
    for n in range(size + 1):  # the store of a bigger tree holds every smaller tree
        assert root(n, nodes) == reference_root(leaves[:n])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 1 << 20), st.integers(1, 1 << 40))
def test_range_keys_tile_right_edge_subtrees(align: int, block: int, width: int) -> None:
    start, width = block << align, 1 + (width - 1) % (1 << align)  # as every RFC 9162 subtree is
    keys = range_keys(start, start + width)
    at = start
    for level, index in keys:
        assert index << level == at  # contiguous and aligned
        at += 1 << level
    assert at == start + width
    assert [level for level, _ in keys] == sorted({level for level, _ in keys}, reverse=True)


def test_fold_right() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert fold_right([a]) == a
    assert fold_right([a, b, c]) == node_hash(a, node_hash(b, c))


def test_memory_nodes_refuse_gaps_changes_and_unknown_keys() -> None:
    nodes = build(hashes(4))
    assert len(nodes) == 7
    nodes.store(append_nodes(0, hashes(4), MemoryNodes()))  # storing the same nodes again is harmless
    assert len(nodes) == 7
    with pytest.raises(ValueError, match=r"node \(0, 6\) would leave a gap"):
        nodes.store([(0, 6, leaf_hash(b"x"))])
    with pytest.raises(ValueError, match=r"change a stored hash"):
        nodes.store([(1, 0, leaf_hash(b"x"))])
    for key in [(0, 4), (2, 1), (7, 0), (0, -1), (-1, 0)]:
        with pytest.raises(KeyError, match=r"is not stored"):
            nodes.get_nodes([(0, 0), key])


def test_memory_siblings_are_the_sibling_keys() -> None:
    nodes = build(hashes(300), batch=7)
    for level in range(9):
        for index in range(300 >> level):
            for count in range((300 >> level).bit_length() + 1):
                keys = [(level + d, (index >> d) ^ 1) for d in range(count)]
                if all((i + 1) << lv <= 300 for lv, i in keys):
                    assert nodes.get_siblings(level, index, count) == nodes.get_nodes(keys)
                else:  # the same error as get_nodes, naming the first node not stored
                    first = next(k for k in keys if (k[1] + 1) << k[0] > 300)
                    with pytest.raises(KeyError, match=re.escape(f"{first} is not stored")):
                        nodes.get_siblings(level, index, count)
    for level, index in [(-1, 4), (0, -3)]:  # no Python wrap-around to the end of a level
        with pytest.raises(KeyError, match="is not stored"):
            nodes.get_siblings(level, index, 2)
    assert nodes.get_siblings(3, 5, 0) == []


def test_default_siblings_read_through_get_nodes() -> None:
    reader = CountingReader(build(hashes(16)))
    assert NodeReader.get_siblings(reader, 1, 2, 3) == reader.inner.get_nodes([(1, 3), (2, 0), (3, 1)])
    assert reader.calls == [[(1, 3), (2, 0), (3, 1)]]
