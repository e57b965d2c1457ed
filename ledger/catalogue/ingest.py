"""Departmental ingestion (seeds R3): validate every row, store the good ones encrypted,
report the bad ones with a reason each, record the batch as one INGEST event.

Nothing is dropped silently: every row is either stored or listed as rejected. The batch is
stored first (one commit), then its INGEST event is appended; a batch stored without its
event (a crash in between) gets it on the next :func:`record_pending`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import rfc8785

from ledger.catalogue.errors import CatalogueError
from ledger.catalogue.schema import SCHEMAS, Value, validate_row
from ledger.catalogue.store import Batch, CatalogueWriter, StoredRecord
from ledger.catalogue.vault import Pseudonymiser, Vault
from ledger.provenance.event import Action, Event, normalise_time
from ledger.provenance.sequencer import Sequencer

PURPOSE = "departmental-supply"
Row = Mapping[str, object]


@dataclass(frozen=True)
class IngestReport:
    batch_id: str
    department: str
    rows_total: int
    stored: int
    rejected: tuple[tuple[int, str], ...]
    """(row number, counted from 1 after any header, reason)."""
    content_hash: str
    event_index: int


@dataclass(frozen=True)
class Ingestion:
    """Everything ingestion needs, built once and passed in."""

    writer: CatalogueWriter
    vault: Vault
    pseudonymise: Pseudonymiser
    sequencer: Sequencer


def ingest(ing: Ingestion, department: str, rows: Sequence[Row], provider: str, received_at: str) -> IngestReport:
    """Ingest one batch from ``provider`` (an account address); ``received_at`` is RFC 3339."""
    received_at = normalise_time(received_at)
    schema = SCHEMAS.get(department)
    if schema is None:
        raise CatalogueError(f"unknown dataset {department!r}; known: {', '.join(sorted(SCHEMAS))}")
    if not rows:
        raise CatalogueError("the batch has no rows; nothing was ingested")
    content_hash = hashlib.sha256(rfc8785.dumps([dict(r) for r in rows])).hexdigest()  # type: ignore[arg-type]
    batch_id = hashlib.sha256(f"{department}\x00{received_at}\x00{content_hash}".encode()).hexdigest()[:32]
    good, rejected = _sort_rows(ing, department, rows)
    batch = Batch(batch_id, department, provider, received_at, content_hash, len(rows), len(good))
    ing.writer.store(batch, good, rejected)
    index = _record(ing.sequencer, batch)
    ing.writer.recorded(batch_id, index)
    return IngestReport(batch_id, department, len(rows), len(good), tuple(rejected), content_hash, index)


def _sort_rows(
    ing: Ingestion, department: str, rows: Sequence[Row]
) -> tuple[list[StoredRecord], list[tuple[int, str]]]:
    schema = SCHEMAS[department]
    typed: list[tuple[int, dict[str, Value]]] = []
    rejected: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        value, reasons = validate_row(schema, row)
        if reasons:
            rejected.append((number, "; ".join(reasons)))
        else:
            typed.append((number, value))
    subjects = {ing.pseudonymise(str(v["credit_code"])) for _, v in typed}
    seen = {key: 0 for key in ing.writer.stored_keys(department, subjects)}
    good = []
    for number, value in typed:
        key = (ing.pseudonymise(str(value["credit_code"])), str(value["period"]))
        if key in seen:
            where = f"row {seen[key]} of this batch" if seen[key] else "a record already stored"
            rejected.append((number, f"duplicate: {department} {value['period']} for this enterprise is in {where}"))
            continue
        seen[key] = number
        good.append(_sealed(ing.vault, department, key, value))
    return good, sorted(rejected)


def _sealed(vault: Vault, department: str, key: tuple[str, str], value: dict[str, Value]) -> StoredRecord:
    body = rfc8785.dumps(value)
    sealed = vault.seal(body, department, *key)  # bound to its row: a ciphertext moved in SQL does not open
    return StoredRecord(department, key[0], key[1], hashlib.sha256(body).hexdigest(), sealed)


def _record(sequencer: Sequencer, batch: Batch) -> int:
    event = Event.from_json({
        "action": Action.INGEST.value, "actor": batch.provider, "subject": None, "assets": [batch.content_hash],
        "purpose": PURPOSE, "consent": None, "request_id": f"batch-{batch.batch_id}", "time": batch.received_at,
    })
    return sequencer.append([event]).start


def record_pending(writer: CatalogueWriter, sequencer: Sequencer) -> int:
    """Append the INGEST events of batches stored before a crash; return how many."""
    pending = writer.unrecorded()
    for batch in pending:
        writer.recorded(batch.batch_id, _record(sequencer, batch))
    return len(pending)


def parse_rows(text: str, fmt: str) -> list[dict[str, object]]:
    """Rows of a CSV (header line first) or JSON Lines batch, values as given."""
    if fmt == "csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise CatalogueError(f"line {number} is not JSON: {exc}") from exc
            if not isinstance(rows[-1], dict):
                raise CatalogueError(f"line {number} is not a JSON object (one row per line)")
    return rows
