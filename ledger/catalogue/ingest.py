"""Departmental ingestion (seeds R3): check the sender, validate every row, store the good ones
encrypted, count the bad ones by reason, record the batch as one INGEST event.

Who may: an active PROVIDER of the department that owns the dataset (:mod:`ledger.catalogue.rights`);
anyone else is refused before a row is read, and the refusal is recorded as ``DENIED``
(:class:`~ledger.catalogue.errors.SupplyRefused` names its event). A stored enterprise-period is
never overwritten by a later batch (a duplicate is a rejected row): a department changes its own
rows by :func:`correct`, which stores new versions of rows it stored before, keeps the old ones,
and records ``TRANSFORM`` naming the old and new content hashes.

When: the platform stamps arrival (``Ingestion.now``); the time a department claims is kept beside
it, never instead of it, so the timeliness assessment (R10) cannot be gamed.

Bounded: rows stream from :mod:`ledger.catalogue.batchfile` in chunks, the batch's content hash is
computed as they pass, and only the first :data:`EXAMPLES` rejected rows are kept (stored and
reported), with counts of all of them by reason. Nothing is dropped silently.

Once, when keyed: a batch sent with an idempotency key (the HTTP route's ``Idempotency-Key``, or the
body's SHA-256) is stored under an id derived from sender, dataset, kind and key (:func:`batch_id`); the
same batch sent again (a retry after a lost answer) raises :class:`~ledger.catalogue.errors.BatchRepeated`
naming the first, and stores and records nothing.

Durable first, then recorded: the batch is stored in one transaction, then its event is appended;
a batch stored without its event (a crash in between) gets it on the next :func:`record_pending`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import rfc8785

from ledger.catalogue import rights
from ledger.catalogue.batchfile import Unreadable
from ledger.catalogue.errors import BatchRepeated, CatalogueError, SupplyRefused
from ledger.catalogue.schema import SCHEMAS, Value, validate_row
from ledger.catalogue.store import Batch, BatchWriter, CatalogueWriter, StoredRecord
from ledger.catalogue.vault import Pseudonymiser, Vault
from ledger.provenance.event import Action, Event, normalise_time
from ledger.provenance.sequencer import Sequencer
from ledger.types import Address

PURPOSE = "departmental-supply"
CORRECTION = "departmental-correction"
EXAMPLES = 100
"""Rejected rows kept (stored and reported) per batch; the rest are counted by reason."""
KINDS = 50
"""Distinct reasons counted per batch (each unexpected field name is one); the rest as "other reasons"."""
CHUNK = 5_000
Row = Mapping[str, object]


@dataclass(frozen=True)
class IngestReport:
    batch_id: str
    department: str
    rows_total: int
    stored: int
    rejected: tuple[tuple[int, str], ...]
    """The first :data:`EXAMPLES` rejected rows: (row number, counted from 1 after any header, reason)."""
    content_hash: str
    event_index: int
    rejected_total: int = 0
    reasons: tuple[tuple[str, int], ...] = ()
    """(reason, rows) for every rejected row, most frequent first."""
    received_at: str = ""
    claimed_at: str | None = None
    kind: str = "ingest"


@dataclass(frozen=True)
class Ingestion:
    """Everything ingestion needs, built once and passed in."""

    writer: CatalogueWriter
    vault: Vault
    pseudonymise: Pseudonymiser
    sequencer: Sequencer
    roles: rights.Roles
    now: Callable[[], str]
    """RFC 3339: the platform's clock, which stamps arrival."""


def ingest(ing: Ingestion, dataset: str, rows: Iterable[Row | Unreadable], provider: Address,
           claimed_at: str | None = None, key: str | None = None) -> IngestReport:
    """Ingest one batch of ``dataset`` from ``provider`` (an account address); with a ``key`` (a
    retry's idempotency key: :func:`batch_id`), a batch stored before under it raises BatchRepeated."""
    return _supply(ing, dataset, rows, provider, claimed_at, correction=False, key=key)


def correct(ing: Ingestion, dataset: str, rows: Iterable[Row | Unreadable], provider: Address,
            claimed_at: str | None = None, key: str | None = None) -> IngestReport:
    """New versions of rows ``dataset``'s department stored before; a row for an enterprise-period
    not stored, or identical to what is, is rejected."""
    return _supply(ing, dataset, rows, provider, claimed_at, correction=True, key=key)


def may_supply(ing: Ingestion, provider: Address, dataset: str, at: str | None = None) -> None:
    """Nothing if ``provider`` may supply ``dataset`` (:func:`ledger.catalogue.rights.refusal`); else the
    refusal is recorded as DENIED and raised as SupplyRefused. Ingestion checks it first; a caller that
    queues a batch for later (the HTTP route's jobs) checks it before queueing too."""
    refused = rights.refusal(ing.roles, provider, dataset)
    if refused is not None:
        when = at or normalise_time(ing.now())
        raise SupplyRefused(refused, _denied(ing.sequencer, provider, dataset, refused, when))


def batch_id(provider: Address, dataset: str, kind: str, key: str) -> str:
    """The batch id a keyed batch is stored under: the same sender, dataset, kind and key give the same
    id, so a retry finds the batch it repeats (and the store's primary key refuses a racing twin)."""
    return hashlib.sha256(f"{provider}\n{dataset}\n{kind}\n{key}".encode()).hexdigest()[:32]


@dataclass
class _Tally:
    """What a batch came to, row by row, in bounded memory."""

    content: hashlib._Hash = field(default_factory=hashlib.sha256)
    total: int = 0
    stored: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    periods: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)

    def row(self, raw: Row | Unreadable) -> None:
        self.content.update(b"[" if self.total == 0 else b",")
        self.content.update(_canonical(raw))
        self.total += 1

    def reject(self, number: int, reasons: list[str]) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append((number, "; ".join(reasons)))
        for kind in (r.split(":", 1)[0] for r in reasons):  # "wrong type for 'kwh'", "duplicate", …
            self.counts[kind if kind in self.counts or len(self.counts) < KINDS else "other reasons"] += 1

    def content_hash(self) -> str:
        """SHA-256 of the rows as one RFC 8785 array, as if the batch had been held whole."""
        done = self.content.copy()
        done.update(b"]")
        return done.hexdigest()


def _supply(ing: Ingestion, dataset: str, rows: Iterable[Row | Unreadable], provider: Address,
            claimed_at: str | None, correction: bool, key: str | None = None) -> IngestReport:
    received_at = normalise_time(ing.now())
    may_supply(ing, provider, dataset, received_at)  # first: a refused sender learns nothing of its batch's faults
    claimed = normalise_time(claimed_at) if claimed_at else None
    kind = "correction" if correction else "ingest"
    number = secrets.token_hex(16) if key is None else batch_id(provider, dataset, kind, key)
    if key is not None and (before := ing.writer.batch(number)) is not None:
        raise BatchRepeated(before)
    tally = _Tally()
    batch = _store(ing, dataset, rows, Batch(number, dataset, provider, received_at, "", 0, 0, None, claimed, kind),
                   tally)
    index = _record(ing.sequencer, batch, (tally.old, tally.new))
    ing.writer.recorded(batch.batch_id, index)
    return IngestReport(batch.batch_id, dataset, tally.total, tally.stored, tuple(sorted(tally.examples)),
                        batch.content_hash, index, tally.total - tally.stored,
                        tuple(tally.counts.most_common()), received_at, claimed, batch.kind)


def _store(ing: Ingestion, dataset: str, rows: Iterable[Row | Unreadable], header: Batch, tally: _Tally) -> Batch:
    """Every row, in one transaction: the batch as stored, or (an exception) nothing stored."""
    correction = header.kind == "correction"
    with ing.writer.storing() as w:
        for chunk in _chunks(rows):
            _take(ing, w, dataset, header.batch_id, chunk, tally, correction)
        if not tally.total:
            raise CatalogueError("the batch has no rows; nothing was ingested")
        if correction and not tally.stored:  # a TRANSFORM names what it produced: here, nothing
            shown = "; ".join(f"row {n}: {why}" for n, why in sorted(tally.examples)[:3])
            raise CatalogueError(f"nothing was corrected: all {tally.total} rows were rejected ({shown}); "
                                 "nothing was stored")
        batch = replace(header, content_hash=tally.content_hash(), rows_total=tally.total, rows_stored=tally.stored)
        w.finish(batch, tally.examples, dict(tally.counts), set() if correction else tally.periods)
    return batch


def _chunks(rows: Iterable[Row | Unreadable]) -> Iterator[list[tuple[int, Row | Unreadable]]]:
    numbered = enumerate(rows, start=1)
    while chunk := list(itertools.islice(numbered, CHUNK)):
        yield chunk


def _take(ing: Ingestion, w: BatchWriter, dataset: str, batch_id: str, chunk: list[tuple[int, Row | Unreadable]],
          tally: _Tally, correction: bool) -> None:
    """Validate, deduplicate and store one chunk of rows."""
    schema = SCHEMAS[dataset]
    typed: list[tuple[int, str, dict[str, Value]]] = []
    for number, raw in chunk:
        tally.row(raw)
        if isinstance(raw, Unreadable):
            tally.reject(number, [raw.reason])
            continue
        value, reasons = validate_row(schema, raw)
        if reasons:
            tally.reject(number, reasons)
        else:
            typed.append((number, ing.pseudonymise(str(value["credit_code"])), value))
    stored = w.stored(dataset, ((subject, str(value["period"])) for _, subject, value in typed))
    good = [r for number, subject, value in typed
            if (r := _accepted(ing, dataset, number, (subject, str(value["period"])), value, stored, tally,
                               correction)) is not None]
    (w.replace if correction else w.add)(batch_id, good)
    tally.stored += len(good)


def _accepted(ing: Ingestion, dataset: str, number: int, key: tuple[str, str], value: dict[str, Value],
              stored: dict[tuple[str, str], tuple[str, int]], tally: _Tally, correction: bool) -> StoredRecord | None:
    """The row sealed if it is kept; else its rejection is tallied."""
    if key in tally.seen:
        tally.reject(number, [f"duplicate: {dataset} {key[1]} for this enterprise is in row {tally.seen[key]} "
                              "of this batch"])
        return None
    record = _sealed(ing.vault, dataset, key, value)
    why = _correction_refusal(dataset, key, record, stored) if correction else _ingest_refusal(dataset, key, stored)
    if why is not None:
        tally.reject(number, [why])
        return None
    tally.seen[key] = number
    tally.periods.add(key[1])
    if correction:
        tally.old.append(stored[key][0])
        tally.new.append(record.content_hash)
    return record


def _ingest_refusal(dataset: str, key: tuple[str, str], stored: Mapping[tuple[str, str], object]) -> str | None:
    if key in stored:
        return (f"duplicate: {dataset} {key[1]} for this enterprise is a record already stored "
                "(to change it, the department sends a correction: credtrace data correct)")
    return None


def _correction_refusal(dataset: str, key: tuple[str, str], record: StoredRecord,
                        stored: Mapping[tuple[str, str], tuple[str, int]]) -> str | None:
    if key not in stored:
        return f"nothing to correct: no {dataset} {key[1]} record is stored for this enterprise (ingest it)"
    if stored[key][0] == record.content_hash:
        return f"unchanged: the {dataset} {key[1]} record stored for this enterprise is the same"
    return None


def _sealed(vault: Vault, department: str, key: tuple[str, str], value: dict[str, Value]) -> StoredRecord:
    body = rfc8785.dumps(value)
    sealed = vault.seal(body, department, *key)  # bound to its row: a ciphertext moved in SQL does not open
    return StoredRecord(department, key[0], key[1], hashlib.sha256(body).hexdigest(), sealed)


def _canonical(raw: Row | Unreadable) -> bytes:
    """A row's RFC 8785 bytes, as the batch's content hash takes them; a value RFC 8785 cannot
    carry (an integer beyond 2^53, NaN) is hashed in a plain sorted JSON form instead."""
    doc: object = list(raw.cells) if isinstance(raw, Unreadable) else dict(raw)
    try:
        return rfc8785.dumps(doc)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _record(sequencer: Sequencer, batch: Batch, hashes: tuple[list[str], list[str]]) -> int:
    doc: dict[str, object] = {
        "action": Action.INGEST.value, "actor": batch.provider, "subject": None, "assets": [batch.content_hash],
        "purpose": PURPOSE, "consent": None, "request_id": f"batch-{batch.batch_id}", "time": batch.received_at,
    }
    if batch.kind == "correction":
        doc.update(action=Action.TRANSFORM.value, purpose=CORRECTION, assets=hashes[0], outputs=hashes[1])
    return sequencer.append([Event.from_json(doc)]).start


def _denied(sequencer: Sequencer, provider: Address, dataset: str, reason: str, at: str) -> int:
    """The refusal, as the access gate records its own: DENIED, the reason, nothing of the batch."""
    event = Event.from_json({
        "action": Action.DENIED.value, "actor": provider, "subject": None, "assets": [], "purpose": PURPOSE,
        "consent": None, "request_id": f"supply-{secrets.token_hex(8)}", "time": at, "reason": reason,
    })
    return sequencer.append([event]).start


def record_pending(writer: CatalogueWriter, sequencer: Sequencer) -> int:
    """Append the INGEST (or TRANSFORM) events of batches stored before a crash; return how many."""
    pending = writer.unrecorded()
    for batch in pending:
        hashes = writer.corrections(batch.batch_id) if batch.kind == "correction" else ([], [])
        writer.recorded(batch.batch_id, _record(sequencer, batch, hashes))
    return len(pending)
