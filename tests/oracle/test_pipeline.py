"""The oracle's pieces without a chain (issue 15): the cursor, the case, the pure decision, the store and
the lease."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from ledger.migrations import open_engine
from oracle import pipeline, record, store
from oracle.case import Case, rfc3339
from oracle.cursor import START, Cursor, after
from oracle.errors import OracleBusy
from oracle.lease import Lease
from oracle.record import Application, Checkpoint
from scoring.features import NAMES
from scoring.policy import DEFAULT_POLICY
from scoring.vector import FeatureVector

APP = Application(31337, "0x" + "11" * 20, 7, "0x" + "22" * 20, "ab" * 32, "cd" * 32, 50_000_000, 12, "SME-CREDIT-1Y")
CASE = Case(7, (12,), Checkpoint(13, "ef" * 32), "2026-11-30T17:00:00Z", "0x" + "33" * 20)


def log(block: int, index: int) -> dict[str, int]:
    return {"blockNumber": block, "logIndex": index}


def test_the_cursor_passes_over_what_is_done_and_keeps_chain_order() -> None:
    logs = [log(5, 1), log(3, 0), log(5, 0), log(2, 9)]
    assert after(logs, START) == [log(2, 9), log(3, 0), log(5, 0), log(5, 1)]
    assert after(logs, Cursor(5, 0)) == [log(5, 1)]


def test_the_decision_time_is_rfc3339_utc_whole_seconds() -> None:
    assert rfc3339(1_796_058_000.9) == "2026-11-30T17:00:00Z"


@pytest.mark.parametrize(("reason", "code"), [
    ("the enterprise is on the sanctions list (joint punishment, R9)", "SANCTIONED"),
    ("revoked", "CONSENT_INVALID"), ("expired", "CONSENT_INVALID"),
    ("the bank the oracle reads for is suspended, not active", "BANK_SUSPENDED"),
    ("a dataset requested is not one the platform holds", "ACCESS_DENIED"),
])
def test_a_gate_refusal_becomes_a_reason_code(reason: str, code: str) -> None:
    assert pipeline.refusal(reason).code == code and reason in pipeline.refusal(reason).text


@pytest.mark.parametrize(("headcount", "size"), [(None, "micro"), (9, "micro"), (10, "small"), (150, "medium")])
def test_the_size_class_comes_from_the_insured_headcount(headcount: int | None, size: str) -> None:
    level = None if headcount is None else math.log1p(headcount)
    assert pipeline.size_class({"headcount_level": level}) == size


def test_features_are_as_of_the_block_month() -> None:
    assert pipeline.as_of(1_796_058_000) == "2026-11"
    rows = [{"department": "tax", "period": p, "invoiced_sales": 1e5, "tax_paid": 1e3}
            for p in ("2026-09", "2026-10", "2026-11")]  # November is the as-of month: not read
    assert pipeline.features(rows, 1_796_058_000)["tax_months"] == 2


def _served(model_doc: dict[str, object]) -> pipeline.Served:
    from scoring import artifact

    return pipeline.served(model_doc, artifact.model_id(model_doc))


@pytest.fixture(scope="module")
def model_doc() -> dict[str, object]:
    from scoring.trainer import train
    from simulation.pilot import generate
    from simulation.training import build

    table = build(generate(n_enterprises=600, seed=7))  # type: ignore[arg-type]
    doc, _ = train(table.to_dataset(), oot_mask=table.oot_mask("2024-10"), descriptions=table.descriptions,
                   policy=DEFAULT_POLICY)
    return doc


def test_two_oracles_sign_one_payload_and_another_model_another(model_doc: dict[str, object]) -> None:
    vector = FeatureVector(NAMES, tuple(None if n == "industry" else 1.0 for n in NAMES))
    decision = pipeline.scored(APP, _served(model_doc), vector, CASE)
    assert decision.decision in ("APPROVE", "DECLINE") and 0 < len(decision.reasons) <= pipeline.MAX_REASONS
    assert decision.limit <= APP.amount and (decision.limit > 0) == (decision.decision == "APPROVE")
    one, two = (record.sign(decision, APP, SigningKey.generate(), k) for k in ("0xaa", "0xbb"))
    assert one != two and record.record_hash(one) == record.record_hash(two)
    other = pipeline.scored(APP, _served({**model_doc, "intercept": float(model_doc["intercept"]) + 2}),  # type: ignore[arg-type]
                            vector, CASE)
    assert record.record_hash(record.sign(other, APP, SigningKey.generate(), "0xcc")) != record.record_hash(one)


def test_a_refusal_is_a_decline_with_one_reason_and_no_vector(model_doc: dict[str, object]) -> None:
    d = pipeline.declined(APP, _served(model_doc), CASE, pipeline.SANCTIONED)
    assert (d.decision, d.limit, d.score, d.feature_vector_hash, d.reasons) == (
        "DECLINE", 0, 0, "", (pipeline.SANCTIONED,))
    assert (d.access_events, d.checkpoint, d.decided_at) == (CASE.access_events, CASE.checkpoint, CASE.decided_at)


def test_the_store_keeps_the_first_case_records_and_the_cursor(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert store.open_case(engine, CASE) == CASE
    assert store.open_case(engine, Case(7, (99,), None, "2027-01-01T00:00:00Z", "0x" + "44" * 20)) == CASE
    row = store.StoredRecord(7, "0x" + "33" * 20, b"{}", "00" * 32, (12,), "2026-11-30T17:00:01+00:00")
    store.store_record(engine, row)
    assert store.stored_record(engine, 7, row.oracle) == row and store.records_for(engine, 7) == [b"{}"]
    assert store.records_for(engine, 8) == []
    assert store.cursor(engine, row.oracle) == START
    store.move_cursor(engine, row.oracle, Cursor(4, 2))
    store.move_cursor(engine, row.oracle, Cursor(9, 0))
    assert store.cursor(engine, row.oracle) == Cursor(9, 0)
    store.store_vector(engine, "aa" * 32, b"{}")
    store.store_vector(engine, "aa" * 32, b"{}")  # content-addressed: a second store is the same row
    assert store.vector(engine, "aa" * 32) == b"{}"
    engine.dispose()


def test_one_lease_per_oracle_key_released_when_its_holder_ends(tmp_path: Path) -> None:
    with Lease(tmp_path / "oracle.lock"), pytest.raises(OracleBusy):
        Lease(tmp_path / "oracle.lock")
    Lease(tmp_path / "oracle.lock").release()
