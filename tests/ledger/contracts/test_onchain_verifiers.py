"""The Solidity verifiers in ProvenanceLog agree with the Python ones (RFC 9162 §2.1.3.2 and
§2.1.4.2) on every case hypothesis draws: valid proofs, flipped bytes, wrong sizes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.chain.backends.tester import EthTesterChain
from ledger.contracts import ProvenanceLog
from ledger.errors import VerificationError
from ledger.provenance import merkle, proof, prover


@pytest.fixture(scope="module")
def log() -> ProvenanceLog:
    from provenance_world import build

    return build(EthTesterChain(), "sqlite://").log


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def python_accepts(check: object, *args: object) -> bool:
    try:
        check(*args)  # type: ignore[operator]
    except VerificationError:
        return False
    return True


def flip(hashes: list[bytes], at: int, bit: int) -> list[bytes]:
    if not hashes:
        return hashes
    i = at % len(hashes)
    changed = bytearray(hashes[i])
    changed[bit % 32] ^= 1 << (bit % 8)
    return [*hashes[:i], bytes(changed), *hashes[i + 1 :]]


cases = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@cases
@given(size=st.integers(1, 200), index=st.integers(0, 199), tamper=st.sampled_from(["none", "path", "leaf", "size"]),
       at=st.integers(0, 20), bit=st.integers(0, 255))
def test_inclusion_verifiers_agree(log: ProvenanceLog, size: int, index: int, tamper: str, at: int, bit: int) -> None:
    index %= size
    tree = leaves(size)
    root, path = merkle.reference_root(tree), merkle.reference_inclusion_path(index, tree)
    leaf, claimed = tree[index], size
    if tamper == "path":
        path = flip(path, at, bit)
    elif tamper == "leaf":
        leaf = hashlib.sha256(leaf).digest()
    elif tamper == "size":
        claimed = size + 1 + at
    expected = python_accepts(proof.verify_inclusion, leaf, index, claimed, path, root)
    assert log.included(leaf, index, claimed, path, root) is expected
    if tamper != "size":  # a larger claimed size can still fold to the same root (RFC 9162 §2.1.3.2)
        assert expected is (tamper == "none" or (tamper == "path" and not path))


@cases
@given(new=st.integers(2, 200), old=st.integers(1, 199), tamper=st.sampled_from(["none", "path", "root"]),
       at=st.integers(0, 20), bit=st.integers(0, 255))
def test_consistency_verifiers_agree(log: ProvenanceLog, new: int, old: int, tamper: str, at: int, bit: int) -> None:
    old = 1 + (old - 1) % (new - 1)
    tree = leaves(new)
    old_root, new_root = merkle.reference_root(tree[:old]), merkle.reference_root(tree)
    path = merkle.reference_consistency_proof(old, tree)
    if tamper == "path":
        path = flip(path, at, bit)
    elif tamper == "root":
        old_root = hashlib.sha256(old_root).digest()
    expected = python_accepts(proof.verify_consistency, old, new, old_root, new_root, path)
    assert log.consistent(old, new, old_root, new_root, path) is expected
    assert expected is (tamper == "none")


@cases
@given(size=st.integers(1, 300), claimed=st.integers(1, 300), forge=st.sampled_from(["none", "leaf", "spine"]),
       at=st.integers(0, 20))
def test_size_proofs_agree_and_bind_a_root_to_its_size(
        log: ProvenanceLog, size: int, claimed: int, forge: str, at: int) -> None:
    """The wrong-size class (issue 11): a root presented with another size, or with a forged proof —
    a node hash passed as leaf data, a spine one level short. Solidity and Python agree, and accept
    only the true size with the honest proof."""
    tree = leaves(size)
    nodes = merkle.MemoryNodes()
    nodes.store(merkle.append_nodes(0, tree, nodes))
    honest = prover.size_proof(size, nodes, lambda indexes: [i.to_bytes(4, "big") for i in indexes])
    pieces = [(data, list(spine)) for data, spine in honest]
    i = at % len(pieces)
    if forge == "leaf":
        pieces[i] = (merkle.leaf_hash(pieces[i][0]), pieces[i][1])
    if forge == "spine" and pieces[i][1]:
        pieces[i] = (pieces[i][0], pieces[i][1][1:])
    root = merkle.reference_root(tree)
    on_chain = log.size_bound(claimed, root, pieces)
    assert on_chain == python_accepts(proof.verify_size, claimed, root, pieces)
    assert on_chain == (claimed == size and pieces == honest)
