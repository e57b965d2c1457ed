"""The ledger: the chain credtrace writes to, and the contracts on it.

Modules, one noun each:

- ``artifact``   compiled contracts (ABI, bytecode, compiler, source hash), read-only at run time
- ``chain``      the :class:`Chain` protocol and :func:`connect`; ``backends/`` implements it
- ``sender``     local signing, nonces, fees, receipts; reverts become :class:`ContractRevert`
- ``revert``     revert data → named Python errors, from the contracts' own ABIs
- ``deployment`` the deployment file, and the check that on-chain code matches the artifacts
- ``registry``   the ``ParticipantRegistry`` client
- ``identity``   participants' dev keys (secp256k1 account + Ed25519 signing key) in the home folder
- ``types``      the vocabulary: addresses, roles, statuses
- the provenance log: ``event``, ``merkle``, ``proof``, ``logstore`` (schema in ``migrations/``),
  ``checkpoint``, ``sequencer``, ``anchor``, ``witness``, ``audit``
- ``consent``, ``sanctions``: clients of ConsentRegistry and SanctionsList
- ``catalogue/``  the data platform (its own docstring and errors): ingestion, the access gate

Errors (all in ``ledger.errors``)::

    LedgerError
    ├── ArtifactError         an artifact is missing, malformed or not what was deployed
    ├── ChainError            the node is unreachable, or cannot fund an account
    ├── TransactionError      a transaction was refused by the node or not mined in time
    │   └── ContractRevert    the contract reverted; ``.error`` is its name, ``.args`` its arguments
    ├── DeploymentError       no deployment, a live one already, or on-chain code that differs
    ├── EventError            a provenance event does not fit the model
    ├── VerificationError     a proof, signature or record did not verify (names what failed)
    └── IdentityError         keys missing, malformed, or about to be overwritten
"""
