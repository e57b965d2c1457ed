"""The data catalogue's errors; the tree is drawn in the package docstring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.errors import LedgerError

if TYPE_CHECKING:  # the store imports SQLAlchemy: not at the commands' start-up (tests/api/test_cli_startup.py)
    from ledger.catalogue.store import Batch


class CatalogueError(LedgerError):
    """Base of every error the data catalogue raises."""


class AccessDenied(CatalogueError):
    """The access gate refused a read (no role, no consent, a sanction ...); the refusal is itself
    recorded, as provenance event ``event_index``."""

    def __init__(self, reason: str, event_index: int) -> None:
        self.reason = reason
        self.event_index = event_index
        super().__init__(f"access denied: {reason}")


class SupplyRefused(CatalogueError):
    """Ingestion refused a batch: the sender may not supply that dataset (``ledger.catalogue.rights``).
    The refusal is recorded, as provenance event ``event_index``; nothing of the batch is stored."""

    def __init__(self, reason: str, event_index: int) -> None:
        self.reason = reason
        self.event_index = event_index
        super().__init__(f"ingestion refused: {reason}")


class BatchRepeated(CatalogueError):
    """A batch sent again under the key of one already stored (a retry): nothing is stored twice and no
    second event is recorded; ``batch`` is the one stored first (its id, counts and INGEST event)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        super().__init__(f"this batch was stored before, as batch {batch.batch_id} ({batch.rows_stored} of "
                         f"{batch.rows_total} rows stored, event {batch.event_index}); nothing was added")


class KeyMissing(CatalogueError):
    """A catalogue key file (HOME/secrets) is not there; it is restored from a backup, never recreated."""



class WrongKey(CatalogueError):
    """A catalogue key is not the one the database was written with (its fingerprint differs)."""


class RecordTampered(CatalogueError):
    """A stored record does not open under its row, or is not what its row says (another enterprise's,
    period's or dataset's, or other content): moved, swapped or altered in the database."""
