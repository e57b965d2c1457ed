"""The oracle's errors, one tree::

    OracleError
    ├── RecordError        a decision record is malformed, unsigned, or not what it claims
    ├── ModelNotServable   the model the oracle serves is retired (or was never approved): it decides nothing
    ├── OracleBusy         another process already acts for this oracle key
    └── VoteMismatch       the chain holds a vote from this oracle other than the record it stored
"""

from __future__ import annotations


class OracleError(Exception):
    """Base of every error the oracle package raises."""


class RecordError(OracleError):
    """A signed decision record cannot be read or does not hold together; the message says why."""


class ModelNotServable(OracleError):
    """The served model may not decide now; the refusal is a DENIED event in the log."""


class OracleBusy(OracleError):
    """The oracle's lease is held by another process."""


class VoteMismatch(OracleError):
    """The oracle's vote on chain is not the record it stored (its store was altered or replaced)."""
