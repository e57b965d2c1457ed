"""The ledger: the chain credtrace writes to, the contracts on it, the provenance log anchored
there, and the data platform whose every use that log records.

Sub-packages, one concept each (each has its own map in its docstring):

- ``chain/``       reaching a chain: the :class:`~ledger.chain.Chain` protocol and its backends,
                   signing and sending, reverts as named errors, the contract wrapper, compiled
                   artifacts, the deployment file, dev funding, participants' keys
- ``contracts/``   one typed client per Solidity contract: ParticipantRegistry, ConsentRegistry,
                   SanctionsList, ModelRegistry, ProvenanceLog, LoanLedger
- ``provenance/``  the RFC 9162 provenance log: events, the Merkle tree, proofs, the SQL store,
                   tree heads, the sequencer that seals and anchors, witnesses, the audit walk
- ``catalogue/``   the data platform: ingestion, encryption at rest, the access gate, assessment
- ``operating/``   the operating ledger (台账): lending, defaults, compensation and pools, from LoanLedger's events
- ``identifiers/`` credit codes and identity numbers: validation, and raw ones found in free text
- ``stateproof/``  contract storage proved against a sealed block header (EIP-1186), trusting no node
- ``migrations/``  the off-chain store's schema (Alembic), shared by the log and the catalogue

Beside them, shared by all: ``types`` (the vocabulary: addresses, roles, statuses) and ``errors``.

Layers (import-linter, ``pyproject.toml``): ``catalogue`` | ``operating`` → ``provenance`` → ``contracts`` →
``chain`` → ``identifiers``; nothing here imports ``scoring``, ``oracle``, ``api`` or the simulation.

Errors (all in ``ledger.errors``)::

    LedgerError
    ├── ArtifactError         an artifact is missing, malformed or not what was deployed
    ├── ChainError            the node is unreachable, or cannot fund an account
    ├── TransactionError      a transaction was refused by the node or not mined in time
    │   └── ContractRevert    the contract reverted; ``.error`` is its name, ``.args`` its arguments
    ├── DeploymentError       no deployment, a live one already, or on-chain code that differs
    ├── EventError            a provenance event does not fit the model
    ├── NotFound              an event (or another thing asked for by its id) is not there
    ├── VerificationError     a proof, signature or record did not verify (names what failed)
    ├── IdentityError         keys missing, malformed, or about to be overwritten
    ├── IdentifierError       a malformed credit code or identity number (``ledger.identifiers.errors``)
    ├── CatalogueError        the data platform's errors (``ledger.catalogue.errors``)
    ├── OperatingError        the operating ledger's errors (``ledger.operating.errors``)
    └── StateProofError       the state proofs' errors (``ledger.stateproof.errors``)
"""
