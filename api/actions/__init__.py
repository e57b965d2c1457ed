"""What a participant can do, shared by the commands (``api.cli``) and the HTTP server (``api.http``: its
JSON routes and the portal): one implementation of each act, free of typer, rich and the console, so a
command and a route that do the same thing cannot drift apart. Modules, one noun each:

- ``supply``     a department's batch into the catalogue (ingest or correct), sealed and anchored
- ``consents``   an enterprise's signed grant or revocation submitted by the operator; its consents listed
- ``loan_args``  the loan commands' arguments, checked before any chain is opened
- ``loan_view``  LoanLedger records as JSON for programs and lines for people; reverts made readable
- ``loans``      a bank's application and loan events, sent from its own account
- ``decisions``  the signed decision record of an application, and its check against the chain
- ``usage``      who used an enterprise's or a dataset's data: the provenance events that concern it
- ``proofs``     checkpoints, inclusion and consistency proofs, witnesses (``log checkpoint|prove|consistency``)
- ``trace``      an auditor's lineage trace in every format (``audit trace``)
- ``leak``       a leaked file's recipient and proof (``audit leak``)
- ``oversight``  a regulator's sanctions and model approvals and retirements
- ``ledger``     the operating ledger (台账) and the departments' data-aggregation assessment
- ``policy``     a new loss-sharing policy version merged over the latest

Errors are the packages' own (``LedgerError``, ``OracleError``, ``ApiError``): a command prints them as
one ``error:`` line, the server answers them as RFC 9457 problems.
"""
