"""The operating ledger's errors; the tree is drawn in the package docstring."""

from __future__ import annotations

from ledger.errors import LedgerError


class OperatingError(LedgerError):
    """Base of every error the operating ledger raises."""


class EventsDisagree(OperatingError):
    """An event restates something the earlier events contradict (a missed block range, or a contract
    that broke its own rules); the message names the application or pool."""
