"""Identifiers of enterprises and people, and where raw ones must never go.

Modules, one noun each:

- ``uscc``    the unified social credit code (统一社会信用代码, GB 32100-2015): check, validate, generate
- ``idcard``  the citizen identity number (公民身份号码, GB 11643-1999): check, validate, generate
- ``scan``    raw identifiers (credit codes, identity, mobile and bank card numbers) found in free text

Pure: no chain, no store. The catalogue validates rows with them; the provenance log refuses events
whose free text carries one.

Errors (in ``ledger.identifiers.errors``), under ``ledger.errors.LedgerError``::

    IdentifierError
    ├── InvalidCreditCode     a credit code is malformed (length, character, check character)
    └── InvalidIdNumber       an identity number is malformed (never repeated in the message)
"""
