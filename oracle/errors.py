"""The oracle's errors, one tree::

    OracleError
    └── RecordError        a decision record is malformed, unsigned, or not what it claims
"""

from __future__ import annotations


class OracleError(Exception):
    """Base of every error the oracle package raises."""


class RecordError(OracleError):
    """A signed decision record cannot be read or does not hold together; the message says why."""
