"""The provider routes against a running server (issue 17): a department pushes a batch as the command
does (201 with the ingestion report; a large one or ?job=true as a job, progress in rows); a retry under the
same key adds nothing (409 batch-repeated); another department, or a bank, is refused 403 supply-refused and
recorded as DENIED, as `credtrace data ingest` refuses it; a department sees how its dataset was used."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from bank_world import refused
from oracle_world import log_events

from api.client import ApiClient
from ledger.chain import Identity, KeyStore

HEADER = "credit_code,period,invoiced_sales,tax_paid"


def key(home: Path, name: str) -> Identity:
    return KeyStore(home / "keys").load(name)


def batch(home: Path, *periods: str) -> bytes:
    code = key(home, "enterprise-1").credit_code
    return "\n".join([HEADER, *(f"{code},{p},1000,100" for p in periods), f"{code},2026-13,1,1"]).encode() + b"\n"


def test_a_department_pushes_a_batch_and_a_retry_adds_nothing(served: tuple[str, Path]) -> None:
    url, home = served
    body = batch(home, "2026-05", "2026-06")
    with ApiClient(url, key(home, "tax-bureau")) as tax:
        report = tax.upload("/v1/datasets/tax/batches", body, "text/csv", claimed_at="2026-07-01T08:00:00+08:00")
        size = len(log_events(home))
        again = refused(lambda: tax.upload("/v1/datasets/tax/batches", body, "text/csv"), 409, "batch-repeated")
        keyed = tax.upload("/v1/datasets/tax/batches", batch(home, "2026-07"), "text/csv", {"Idempotency-Key": "k-1"})
        refused(lambda: tax.upload("/v1/datasets/tax/batches", batch(home, "2026-08"), "text/csv",
                                   {"Idempotency-Key": "k-1"}), 409, "batch-repeated")
    assert (report["rows_total"], report["stored"], report["rejected_total"]) == (3, 2, 1)
    assert report["rejected"][0][0] == 3 and report["claimed_at"] and report["kind"] == "ingest"
    event = dict(log_events(home))[report["event_index"]]
    assert (event["action"], event["actor"]) == ("INGEST", key(home, "tax-bureau").address)
    assert report["batch_id"] in str(again["detail"]) and "nothing was added" in str(again["detail"])
    assert keyed["stored"] == 1 and len(log_events(home)) == size + 1  # the keyed batch's INGEST, no other


def test_another_department_or_a_bank_is_refused_and_recorded_as_denied(served: tuple[str, Path]) -> None:
    url, home = served
    for name in ("social-security", "bank-a"):
        with ApiClient(url, key(home, name)) as other:
            problem = refused(lambda: other.upload("/v1/datasets/tax/batches", batch(home, "2026-09"),
                                                   "text/csv"), 403, "supply-refused")
        event = dict(log_events(home))[int(str(problem["event_index"]))]
        assert (event["action"], event["actor"], event["assets"]) == ("DENIED", key(home, name).address, [])
        assert "ingestion refused" in str(problem["detail"]) and event["reason"] in str(problem["detail"])
    with ApiClient(url, key(home, "bank-a")) as bank:  # not queued as a job that fails later: refused now
        asked = bank.http.post("/v1/datasets/tax/batches", content=batch(home, "2026-09"), params={"job": "true"},
                               headers={"Content-Type": "text/csv"})
    assert asked.status_code == 403 and asked.json()["type"] == "/problems/supply-refused"
    assert dict(log_events(home))[asked.json()["event_index"]]["action"] == "DENIED"


def test_a_large_batch_or_one_asked_as_a_job_runs_as_a_job(served: tuple[str, Path]) -> None:
    url, home = served
    with ApiClient(url, key(home, "tax-bureau")) as tax:
        accepted = tax.http.post("/v1/datasets/tax/batches", content=batch(home, "2026-10", "2026-11"),
                                 params={"job": "true"}, headers={"Content-Type": "text/csv"})
        assert accepted.status_code == 202 and accepted.headers["location"] == f"/v1/jobs/{accepted.json()['id']}"
        deadline = time.monotonic() + 60
        while (job := tax.get(accepted.headers["location"]))["state"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert job["state"] == "succeeded" and job["done"] == 3 and job["total"] == 3
    assert job["result"]["stored"] == 2 and dict(log_events(home))[job["result"]["event_index"]]["action"] == "INGEST"


def test_a_batch_in_another_format_is_a_bad_request(served: tuple[str, Path]) -> None:
    url, home = served
    with ApiClient(url, key(home, "tax-bureau")) as tax:
        refused(lambda: tax.upload("/v1/datasets/tax/batches", b"<rows/>", "application/xml"), 400, "bad-request")
        refused(lambda: tax.upload("/v1/datasets/tax/batches", b"a,b\n1,2\n", "text/csv"), 400, "ledger-error")
    assert httpx.post(f"{url}/v1/datasets/tax/batches", content=b"x").status_code == 401


def test_a_department_sees_how_its_dataset_was_used_and_no_one_else_does(served: tuple[str, Path]) -> None:
    url, home = served
    with ApiClient(url, key(home, "tax-bureau")) as tax, ApiClient(url, key(home, "social-security")) as other:
        used = tax.get("/v1/datasets/tax/usage")
        refused(lambda: other.get("/v1/datasets/tax/usage"), 403, "not-owner")
    assert used and used[0]["action"] == "INGEST" and {u["action"] for u in used} >= {"INGEST"}
    assert all(u["why"] for u in used)
