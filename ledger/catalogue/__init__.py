"""The data catalogue: the enterprise-financing database departments feed (seeds R3), and the
one gate through which it is read (R4 to R7, R9), with each department's assessment (R10).
Identifiers (credit codes, identity numbers) are validated by ``ledger.identifiers``.

Modules, one noun each:

- ``schema``   the datasets each department declares, their personal fields, and row validation
- ``vault``    encryption at rest bound to each record's row (AEAD), the key provider, the keyed pseudonym
               of a credit code; their key files
- ``fingerprints`` the keys' fingerprints kept beside the data, so a new or swapped key is refused
- ``store``    the catalogue's tables: a writer for ingestion, counts per department
- ``reader``   the record reader, imported by the gate alone
- ``rights``   who may supply which dataset: an active provider of the department that owns it
- ``batchfile`` a CSV or JSON Lines batch read as a stream of rows, within bounds
- ``ingest``   validate a batch, store the good rows encrypted, report the bad, record INGEST
               (a correction: TRANSFORM; a refusal: DENIED)
- ``mask``     desensitisation by role: mask, tokenise or drop personal fields
- ``gate``     the access gate: role, status, sanctions, consent; ACCESS / DENIED / TRANSFORM / OUTPUT
- ``assessment`` timeliness, completeness and accuracy of each department's supply
- ``errors``   the errors below

Errors (in ``ledger.catalogue.errors``), under ``ledger.errors.LedgerError``::

    CatalogueError
    ├── AccessDenied          the access gate refused a read; ``.event_index`` is the recorded refusal
    ├── SupplyRefused         ingestion refused a sender for a dataset; ``.event_index`` is the recorded refusal
    ├── BatchRepeated         a batch sent again under the key of one stored before (a retry): nothing added
    ├── RecordTampered        a stored record does not open under its row, or is not what its row says
    ├── KeyMissing            a key file under HOME/secrets is gone (restore it; it is never recreated)
    └── WrongKey              a key is not the one the database was written with (fingerprints differ)
"""
