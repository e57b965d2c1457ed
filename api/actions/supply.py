"""A department's batch into the catalogue: read as a stream (``ledger.catalogue.batchfile``), ingested
or corrected (``ledger.catalogue.ingest``: supply rights, validation, INGEST or TRANSFORM), then sealed
and anchored. ``credtrace data ingest|correct`` and ``POST /v1/datasets/{dataset}/batches`` both call
:func:`supplied`, then :func:`anchored`; the caller holds the platform's one writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from api import ApiError
from api.platform import Platform
from ledger.catalogue import batchfile, ingest
from ledger.catalogue.batchfile import Row, Unreadable
from ledger.catalogue.errors import SupplyRefused
from ledger.catalogue.schema import SCHEMAS
from ledger.types import Address

FORMATS = ("csv", "jsonl")
PROGRESS_EVERY = 1_000
"""Rows between two progress reports of a batch run as a job."""
Progress = Callable[[int, int | None], None]


def supplied(p: Platform, dataset: str, stream: BinaryIO, fmt: str, provider: Address, claimed_at: str | None = None,
             correction: bool = False, key: str | None = None, progress: Progress | None = None,
             total: int | None = None) -> ingest.IngestReport:
    """The batch in ``stream`` (``csv`` or ``jsonl``) stored and recorded; a refused sender's DENIED is
    anchored before SupplyRefused is raised again; a keyed batch stored before raises BatchRepeated."""
    rows: Iterable[Row | Unreadable] = batchfile.rows(stream, fmt, SCHEMAS[dataset]) if dataset in SCHEMAS else ()
    if progress is not None:
        rows = _counted(rows, progress, total)
    try:
        return (ingest.correct if correction else ingest.ingest)(p.ingestion, dataset, rows, provider, claimed_at,
                                                                 key)
    except SupplyRefused as refused:
        anchored(p.seal_and_anchor, f"the refusal (DENIED, event {refused.event_index}) is recorded")
        raise


def sender_checked(p: Platform, provider: Address, dataset: str) -> None:
    """Nothing if ``provider`` may supply ``dataset``; else its DENIED is anchored and SupplyRefused raised
    (before a batch is queued: the ingestion checks again when it runs)."""
    try:
        ingest.may_supply(p.ingestion, provider, dataset)
    except SupplyRefused as refused:
        anchored(p.seal_and_anchor, f"the refusal (DENIED, event {refused.event_index}) is recorded")
        raise


def stored(p: Platform, report: ingest.IngestReport) -> None:
    """Seal and anchor what the batch recorded."""
    what = "TRANSFORM" if report.kind == "correction" else "INGEST"
    anchored(p.seal_and_anchor, f"the batch is stored ({report.stored} rows) and recorded as {what} event "
                                f"{report.event_index}")


def anchored(seal_and_anchor: Callable[[], object], done: str) -> None:
    """Seal and anchor; if that fails, say what is durable and what is not, in one line."""
    try:
        seal_and_anchor()
    except Exception as exc:  # the chain, the node or the network: whatever it is, the batch is durable
        raise ApiError(f"{done}, but not yet anchored on chain ({exc}); nothing is lost: the next command that "
                       "opens the platform (any `credtrace data` command, `credtrace log append`) anchors it") \
            from exc


def refused_line(refused: SupplyRefused) -> str:
    return f"{refused} (recorded as DENIED, event {refused.event_index})"


def _counted(rows: Iterable[Row | Unreadable], progress: Progress, total: int | None) -> Iterator[Row | Unreadable]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(done, total)
