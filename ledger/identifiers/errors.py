"""The identifiers' errors; the tree is drawn in the package docstring."""

from __future__ import annotations

from ledger.errors import LedgerError


class IdentifierError(LedgerError):
    """Base of every error about an identifier, or about text that carries one."""


class InvalidCreditCode(IdentifierError):
    """A unified social credit code (GB 32100-2015) is malformed; the message says why."""


class InvalidIdNumber(IdentifierError):
    """A citizen identity number (GB 11643-1999) is malformed; the message says why."""
