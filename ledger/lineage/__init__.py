"""Lineage (seeds R5): everything that happened to one enterprise's, dataset's, asset's or application's
data, in order, each provenance event checked against a root anchored on chain, and exported as W3C PROV
or OpenLineage run events — what ``credtrace audit trace`` shows an auditor.

Modules, one noun each:

- ``target``    what is traced: a pseudonym, the hashes and log indexes that belong to it, its applications
- ``timeline``  which log events concern a target (pure), the entries merged oldest first
- ``inclusion`` each selected event's witness (RFC 9162 inclusion proof) checked against the chain
- ``catalogue`` the catalogue's index columns: which hashes and batches hold a subject's or dataset's records
- ``onchain``   the chain's events that go with a target: consents, applications, decisions, loans, sanctions
- ``provdoc``   the timeline as a W3C PROV document (the ``prov`` package: PROV-JSON, PROV-O)
- ``runevents`` the timeline as OpenLineage run events (``openlineage-python``'s models)

The catalogue is read for its index columns only (which batch and content hash hold a subject's records),
never for a record: the access gate stays the one reader of enterprise data.

Errors, under ``ledger.errors.LedgerError``::

    LineageError          the target cannot be traced as asked (unknown application, bad hash or name)
"""

from ledger.errors import LedgerError


class LineageError(LedgerError):
    """The target cannot be traced as asked; the message names what is wrong, never a raw identifier."""


__all__ = ["LineageError"]
