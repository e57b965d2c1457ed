"""The oracle: turns loan applications into signed decisions written back to the chain (issue 15).

- ``record``    the signed decision record: decision, in-toto Statement, DSSE envelope, record hash
- ``case``      what every oracle's record cites for one application, fixed by the first (the quorum agrees)
- ``cursor``    where the oracle is in the ``Applied`` events
- ``pipeline``  the pure core: records and model → decision
- ``store``     its SQL tables (cursor, cases, feature vectors, decision records)
- ``lease``     one process per oracle key
- ``service``   the I/O loop: read, sign, store, send, log, exactly once
- ``claim``     what a record claims, read from its bytes (envelope, Statement, decision), not yet believed
- ``verify``    a bank's check of a record against the chain: each claim one named check (pure)
- ``evidence``  what the chain says about the application a record names (events and views alone)
- ``errors``    the package's one error tree
"""
