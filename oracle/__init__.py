"""The oracle: turns loan applications into signed decisions written back to the chain (issue 15).

- ``record``    the signed decision record: decision, in-toto Statement, DSSE envelope, record hash
- ``case``      what every oracle's record cites for one application, fixed by the first (the quorum agrees)
- ``cursor``    where the oracle is in the ``Applied`` events
- ``pipeline``  the pure core: records and model → decision
- ``store``     its SQL tables (cursor, cases, feature vectors, decision records)
- ``lease``     one process per oracle key
- ``service``   the I/O loop: read, sign, store, send, log, exactly once
- ``errors``    the package's one error tree
"""
