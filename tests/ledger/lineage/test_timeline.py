"""Which log events a trace selects (``ledger.lineage.timeline``, pure): by subject, asset, request id or
catalogue index; citations closed both ways (a DECISION names the ACCESS events it read by leaf hash); an
edited body that is no longer JSON still selected, so its failed proof is shown; entries in time order."""

from __future__ import annotations

import json
from typing import Any

from ledger.lineage.target import Target, request_id
from ledger.lineage.timeline import ChainEntry, LogEntry, ordered, select

ME, OTHER = "a" * 64, "b" * 64
ORACLE, BANK = "0x" + "1" * 40, "0x" + "2" * 40


def row(index: int, **event: Any) -> tuple[int, bytes, str]:
    doc = {"action": "ACCESS", "actor": BANK, "subject": None, "assets": [], "time": f"2026-01-01T00:00:0{index}Z",
           **event}
    return index, bytes([index]) * 32, json.dumps(doc)


def leaf(index: int) -> str:
    return (bytes([index]) * 32).hex()


def chosen(rows: list[tuple[int, bytes, str]], target: Target) -> dict[int, str]:
    return {e.index: e.why for e in select(rows, target)}


ROWS = [
    row(0, action="INGEST", assets=["c" * 64]),                        # a batch: no subject
    row(1, subject=ME, assets=["d" * 64]),                             # the bank reads ME
    row(2, actor=ORACLE, subject=ME, request_id=request_id(7)),        # the oracle reads ME for application 7
    row(3, subject=OTHER, assets=["d" * 64]),                          # someone reads OTHER's copy of asset d
    row(4, action="DECISION", actor=ORACLE, subject=None, assets=[leaf(2)], request_id=request_id(7)),
    row(5, subject=OTHER),                                             # nothing to do with ME
]


def test_an_enterprise_its_subject_its_batches_and_the_decisions_citing_its_reads() -> None:
    target = Target("enterprise", ME, ME, indexes=frozenset({0}))
    assert chosen(ROWS, target) == {0: "a batch holding the target's records (catalogue)", 1: "subject",
                                    2: "subject", 4: "cites ACCESS event 2"}


def test_an_application_its_decision_and_the_access_events_it_cites_not_the_banks() -> None:
    only_decision = [r for r in ROWS if r[0] != 2] + [row(2, actor=ORACLE, subject=ME)]  # no request id on the read
    target = Target("application", "7", ME, request_ids=frozenset({request_id(7)}), by_subject=False)
    assert chosen(sorted(only_decision), target) == {2: "cited by a DECISION of the trace", 4: "request id"}


def test_an_asset_whoever_touched_it() -> None:
    assert chosen(ROWS, Target("asset", "d" * 64, hashes=frozenset({"d" * 64}))) == {1: "asset", 3: "asset"}


def test_an_edited_body_that_is_no_longer_json_is_still_selected_when_it_names_the_target() -> None:
    broken = [*ROWS[:5], (5, bytes([5]) * 32, '{"subject": "' + ME + '", oops')]
    entries = select(broken, Target("enterprise", ME, ME))
    assert [(e.index, e.event is None) for e in entries][-1] == (5, True)
    assert entries[-1].why == "matches the target (body no longer JSON)"


def test_entries_oldest_first_chain_before_log_at_the_same_time() -> None:
    log = [LogEntry(9, "00", {"time": "2026-01-01T00:00:02.000000Z"}, "subject"),
           LogEntry(3, "00", {"time": "2026-01-01T00:00:01.000000Z"}, "subject")]
    chain = [ChainEntry("LoanLedger", "Applied", 5, 1, "0x", "2026-01-01T00:00:02.000000Z", {}),
             ChainEntry("LoanLedger", "Decided", 5, 0, "0x", "2026-01-01T00:00:02.000000Z", {})]
    assert [getattr(e, "index", None) or getattr(e, "name", None) for e in ordered(log, chain)] == [
        3, "Decided", "Applied", 9]
