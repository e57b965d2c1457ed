"""The catalogue's counts at a cut of the log (``api.evaluation.supply``), on SQLite and PostgreSQL: a batch counts
when the event that recorded it lies before the cut, a record when any of its versions came in such a batch,
an arrival when the batch that brought it did; past the last event they are the catalogue's own counts."""

from __future__ import annotations

from api.evaluation.supply import SupplyBefore
from ledger.catalogue.assessment import assess
from ledger.catalogue.store import Batch, CatalogueWriter, StoredRecord, SupplyStats
from ledger.migrations import open_engine

H = "ab" * 32


def stored(writer: CatalogueWriter, batch: Batch, records: list[StoredRecord], correction: bool = False) -> None:
    with writer.storing() as w:
        (w.replace if correction else w.add)(batch.batch_id, records)
        w.finish(batch, [], {"bad row": batch.rows_total - batch.rows_stored} if batch.rows_total > batch.rows_stored
                 else {}, {r.period for r in records})


def record(subject: str, period: str, version: str = "1") -> StoredRecord:
    return StoredRecord("tax", subject * 64, period, version * 64, b"sealed")


def test_counts_at_a_cut_hold_only_what_the_log_had_recorded_by_then(db_url: str) -> None:
    engine = open_engine(db_url)
    writer = CatalogueWriter(engine)
    stored(writer, Batch("b1", "tax", "0x1", "2024-02-05T01:00:00.000000Z", H, 3, 2, 0), [record("a", "2024-01"),
                                                                                         record("b", "2024-01")])
    stored(writer, Batch("b2", "tax", "0x1", "2024-03-05T01:00:00.000000Z", H, 2, 2, 5), [record("a", "2024-02"),
                                                                                         record("c", "2024-02")])
    stored(writer, Batch("b3", "tax", "0x1", "2024-03-20T01:00:00.000000Z", H, 1, 1, 8, kind="correction"),
           [record("a", "2024-01", "2")], correction=True)
    early, late = SupplyBefore(engine, 3), SupplyBefore(engine, 10)
    assert early.rows() == {"tax": (3, 2)} and late.rows() == {"tax": (5, 4)}  # corrections not counted again
    assert early.coverage() == (2, {"2024-01"}, {"tax": (2, 2)})  # a's first version came in b1, before the cut
    assert early.arrivals() == {"tax": [("2024-01", "2024-02-05T01:00:00.000000Z")]}
    everything = SupplyStats(engine)
    assert (late.rows(), late.coverage(), late.arrivals()) == (everything.rows(), everything.coverage(),
                                                               everything.arrivals())
    assert assess(late) == assess(everything) and assess(SupplyBefore(engine, 0)) == []
    engine.dispose()
