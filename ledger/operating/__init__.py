"""The operating ledger (台账, seeds R2/R10): each bank's and each district's lending, defaults, risk
compensation, recoveries and subsidies, and the pools' balances, folded from LoanLedger's events alone
(never its view functions), so every figure can be recomputed by anyone who can read the chain.

Modules, one noun each:

- ``events``   the contract's events as typed records
- ``reader``   the edge: ``eth_getLogs`` over the contract, by block range, decoded into events
- ``figures``  the figures: pipeline, book, pools, exact ratios; the definition of a non-performing loan
- ``fold``     the pure fold of events into figures, checking each event against the ones before it
- ``document`` the figures as JSON (fen, exact ratios)
- ``tables``   the figures as tables of text for people (yuan, percentages)
- ``page``     the tables as one self-contained HTML page
- ``errors``   the errors below

Layers: above ``contracts`` (it reads the LoanLedger client's records), beside ``catalogue``; nothing
else in the ledger imports it.

Errors (in ``ledger.operating.errors``), under ``ledger.errors.LedgerError``::

    OperatingError
    └── EventsDisagree        an event contradicts the ones before it (names the application or pool)
"""

from __future__ import annotations

from ledger.operating.figures import Report
from ledger.operating.fold import fold

__all__ = ["Report", "fold"]
