"""The provenance log (seeds R5): every use of enterprise data as an event in an append-only
RFC 9162 Merkle log, sealed into signed tree heads anchored on chain.

Modules, one noun each:

- ``event``       the provenance event and its RFC 8785 canonical bytes (the leaf)
- ``merkle``      RFC 9162 hashing over stored perfect subtrees; the slow reference beside it
- ``prover``      inclusion and consistency proofs: planned, read, folded; :class:`Prover` serves many
- ``proof``       checking those proofs (RFC 9162 §2.1.3.2, §2.1.4.2)
- ``store``       the log in SQL (SQLite or PostgreSQL, schema in ``ledger/migrations``), append-only
- ``checkpoint``  the signed tree head, a C2SP checkpoint in a signed note
- ``sequencer``   accept fast, seal in batches, sign, anchor on ``ProvenanceLog``; recovers after a crash
- ``witness``     an event with its inclusion proof against an anchored root, and its check
- ``audit``       the whole log re-hashed, every root rebuilt and compared with the chain

The names other packages use are re-exported here.
"""

from ledger.provenance.audit import RegisteredKeys, verify_log
from ledger.provenance.event import Action, Event
from ledger.provenance.sequencer import AnchorTarget, Sequencer
from ledger.provenance.store import LogStore

__all__ = ["Action", "AnchorTarget", "Event", "LogStore", "RegisteredKeys", "Sequencer", "verify_log"]
