"""The witness's rule, alone: cosign only what extends the last checkpoint cosigned (RFC 9162 §2.1.4)."""

from __future__ import annotations

import pytest

from ledger.provenance.checkpoint import Checkpoint
from ledger.provenance.cosigner import Refusal, check_extends
from ledger.provenance.merkle import leaf_hash, reference_consistency_proof, reference_root

LEAVES = [leaf_hash(bytes([i])) for i in range(12)]
OTHER = [leaf_hash(bytes([100 + i])) for i in range(12)]


def head(leaves: list[bytes], size: int) -> Checkpoint:
    return Checkpoint("example.org/log", size, reference_root(leaves[:size]))


def test_an_extension_with_its_proof_is_cosigned_and_the_first_is_taken_on_trust() -> None:
    check_extends(None, head(LEAVES, 5), [])
    check_extends(head(LEAVES, 5), head(LEAVES, 12), reference_consistency_proof(5, LEAVES))
    check_extends(head(LEAVES, 12), head(LEAVES, 12), [])


@pytest.mark.parametrize(("last", "new", "proof", "message"), [
    (head(LEAVES, 5), head(LEAVES[:5] + OTHER[5:], 12), reference_consistency_proof(5, LEAVES), "does not extend"),
    (head(LEAVES, 8), head(LEAVES[:5] + OTHER[5:], 8), [], "equivocation: two signed heads of size 8"),
    (head(LEAVES, 9), head(LEAVES, 7), [], "the log went back"),
    (head(LEAVES, 5), Checkpoint("other.org/log", 12, reference_root(LEAVES)), [], "is not of the log"),
])
def test_anything_else_is_refused_naming_both_heads(
        last: Checkpoint, new: Checkpoint, proof: list[bytes], message: str) -> None:
    with pytest.raises(Refusal, match=message):
        check_extends(last, new, proof)
