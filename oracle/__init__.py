"""The oracle: turns loan applications into signed decisions written back to the chain (issue 15).

- ``record``  the signed decision record: decision, in-toto Statement, DSSE envelope, record hash
- ``verify``  a bank's check of a record against the chain: each claim one named check (pure)
- ``evidence`` what the chain says about the application a record names (events and views alone)
- ``errors``  the package's one error tree
"""
