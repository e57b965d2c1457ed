"""The oracle: turns loan applications into signed decisions written back to the chain (issue 15).

- ``record``  the signed decision record: decision, in-toto Statement, DSSE envelope, record hash
- ``claim``   what a record claims, read from its bytes (envelope, Statement, decision), not yet believed
- ``verify``  a bank's check of a record against the chain: each claim one named check (pure)
- ``evidence`` what the chain says about the application a record names (events and views alone)
- ``errors``  the package's one error tree
"""
