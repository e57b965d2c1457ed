"""State proofs: one contract's storage checked against a sealed block header, trusting no node.

An auditor asks the node for a block header and an EIP-1186 ``eth_getProof`` answer, then checks
them here: the header's hash and its validator's seal (EIP-225 style, as the devnet seals), the
account proof against the header's ``stateRoot``, the storage proofs against the account's
``storageRoot`` (Merkle-Patricia tries, Yellow Paper appendix D). A node that lies about a value
cannot make the proof check out without the validator's key. ``credtrace audit state-proof`` is
the command (``api/cli/audit_state.py``).

Modules, one noun each:

- ``mpt``     Merkle-Patricia trie proofs (checked by py-trie): a key's value, or its absence
- ``header``  the block header: its hash recomputed from its fields, its seal's signer
- ``layout``  Solidity storage layout: where a mapping's record lies, its fields decoded
- ``verify``  the checks in order, each ok or failed, as a ``Verdict``
- ``fetch``   the edge: the header and the proof over JSON-RPC
- ``errors``  the errors below

Layers: above ``chain`` (``fetch`` takes a ``Chain``; ``header`` uses ``devnet.seal``); nothing else in
the ledger imports it.

Errors (in ``ledger.stateproof.errors``), under ``ledger.errors.LedgerError``::

    StateProofError
    ├── ProofFailed           a check failed: hash, seal, a trie proof, a value (also a VerificationError)
    └── LayoutError           no such state variable, or a type that is not a value type
"""

from __future__ import annotations

from ledger.stateproof.errors import LayoutError, ProofFailed, StateProofError
from ledger.stateproof.layout import Layout, Record, storage_layout
from ledger.stateproof.verify import Check, Expected, Verdict, verify

__all__ = [
    "Check",
    "Expected",
    "Layout",
    "LayoutError",
    "ProofFailed",
    "Record",
    "StateProofError",
    "Verdict",
    "storage_layout",
    "verify",
]
