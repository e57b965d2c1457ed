"""The data catalogue: what departments deliver for the enterprise-financing database (seeds R3).

Modules, one noun each (more to come):

- ``uscc``     the unified social credit code (统一社会信用代码, GB 32100-2015): check, validate, generate
- ``idcard``   the citizen identity number (公民身份号码, GB 11643-1999): check, validate, generate
- ``schema``   the datasets each department declares, their personal fields, and row validation
- ``pilot``    a deterministic synthetic pilot: enterprises, monthly records, arrivals, defaults
- ``errors``   the errors below

Errors (in ``ledger.catalogue.errors``), under ``ledger.errors.LedgerError``::

    CatalogueError
    ├── InvalidCreditCode     a credit code is malformed (length, character, check character)
    ├── InvalidIdNumber       an identity number is malformed (never repeated in the message)
    ├── PilotError            the synthetic pilot was asked for something it cannot make
    └── AccessDenied          the access gate refused a read; ``.event_index`` is the recorded refusal
"""
