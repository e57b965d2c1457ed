"""The state-proof package's errors; the tree is drawn in the package docstring."""

from __future__ import annotations

from ledger.errors import LedgerError, VerificationError


class StateProofError(LedgerError):
    """Base of every error the state-proof package raises."""


class ProofFailed(StateProofError, VerificationError):
    """A check of a state proof failed: the header's hash or seal, a trie proof, a value (names which)."""


class LayoutError(StateProofError):
    """A contract's storage layout has no such variable, or a type this package cannot decode."""
