"""The oracle: turns loan applications into signed decisions written back to the chain (issue 15).

- ``record``  the signed decision record: decision, in-toto Statement, DSSE envelope, record hash
- ``errors``  the package's one error tree
"""
