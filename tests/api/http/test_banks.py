"""The bank routes against a running server (issue 17): apply, the bank's applications, one application
with its decision and reasons, the signed record fetched and verified, the loan's events and the portfolio;
and the hostile cases: another bank's application or record (403 not-owner, recorded as DENIED), a repayment
on another bank's loan, a tampered record, a non-bank."""

from __future__ import annotations

import json

import bank_world
import httpx
from bank_world import Served, refused
from oracle_world import log_events

from api.client import ApiClient
from oracle import record

decided_base, world = bank_world.decided_base, bank_world.world  # the module's fixtures


def test_a_bank_applies_and_follows_its_own_applications(world: Served) -> None:
    code = world.key("enterprise-1").credit_code
    with ApiClient(world.url, world.key("bank-a")) as bank:
        made = bank.post("/v1/applications", {"enterprise": code, "consent": world.consent_a, "amount": 30_000_000,
                                              "term_months": 12, "product": "SME-CREDIT-1Y"})
        mine = bank.get("/v1/applications")
        shown = bank.get(f"/v1/applications/{made['application_id']}")
    assert made["application_id"] > max(i for ids in world.ids.values() for i in ids)
    assert {a["applicationId"] for a in mine} == {*world.ids["bank-a"], made["application_id"]}
    assert shown["status"] == "APPLIED" and shown["amount"] == 30_000_000 and shown["reasons"] == []
    assert shown["approved"] is None


def test_an_application_shows_its_decision_with_reasons_and_its_signed_record_verifies(world: Served) -> None:
    first = world.ids["bank-a"][0]
    with ApiClient(world.url, world.key("bank-a")) as bank:
        shown = bank.get(f"/v1/applications/{first}")
        envelope = bank.get(f"/v1/applications/{first}/record")
        raw = json.dumps(envelope)
        report = bank.post("/v1/records/verify", {"record": raw, "application": first})
        other = bank.post("/v1/records/verify", {"record": raw, "application": world.ids["bank-b"][0]})
        forged = json.loads(raw)
        forged["signatures"][0]["sig"] = forged["signatures"][0]["sig"][::-1]
        broken = bank.post("/v1/records/verify", {"record": json.dumps(forged)})
    assert shown["status"] == "APPROVED" and shown["approved"] is True and shown["reasons"]
    assert all(set(r) >= {"code", "text"} and r["text"] for r in shown["reasons"])
    assert "0x" + record.record_hash(raw.encode()) == shown["recordHash"]
    assert report["valid"] is True and report["unchecked"] == ["access-events"]
    assert [c["name"] for c in report["checks"]][-1] == "record-hash" and all(c["ok"] for c in report["checks"])
    assert other["valid"] is False and other["checks"][-1]["name"] == "application"
    assert broken["valid"] is False and broken["checks"][-1]["name"] in ("envelope", "signatures")


def test_another_banks_application_and_record_are_refused_and_recorded_as_denied(world: Served) -> None:
    theirs = world.ids["bank-a"][0]
    bank_b = world.key("bank-b")
    before = len(log_events(world.home))
    with ApiClient(world.url, bank_b) as bank:
        refused(lambda: bank.get(f"/v1/applications/{theirs}"), 403, "not-owner")
        refused(lambda: bank.get(f"/v1/applications/{theirs}/record"), 403, "not-owner")
        refused(lambda: bank.get("/v1/applications/999"), 404, "not-found")
        assert {a["applicationId"] for a in bank.get("/v1/applications")} == set(world.ids["bank-b"])
    denied = [e for _, e in log_events(world.home)[before:] if e["action"] == "DENIED"]
    assert [e["actor"] for e in denied] == [bank_b.address, bank_b.address]
    assert all(e["reason"] == f"application {theirs} is another bank's" for e in denied)
    assert {e["purpose"] for e in denied} == {"http GET /v1/applications/{application_id}",
                                              "http GET /v1/applications/{application_id}/record"}


def test_a_bank_reports_its_loan_and_another_bank_cannot_touch_it(world: Served) -> None:
    loan = world.ids["bank-a"][1]
    with ApiClient(world.url, world.key("bank-a")) as bank, ApiClient(world.url, world.key("bank-b")) as other:
        paid = bank.post(f"/v1/loans/{loan}/disbursement", {"amount": 20_000_000, "district": "500103"})
        refused(lambda: other.post(f"/v1/loans/{loan}/repayments", {"principal": 100, "interest": 1}), 403,
                "not-owner")
        repaid = bank.post(f"/v1/loans/{loan}/repayments", {"principal": 5_000_000, "interest": 100_000})
        late = bank.post(f"/v1/loans/{loan}/overdue", {"days": 30})
        bad = bank.post(f"/v1/loans/{loan}/default", {"days": 90})
        claimed = bank.post(f"/v1/loans/{loan}/claim")
        refused(lambda: bank.post(f"/v1/loans/{loan}/disbursement", {"amount": 1, "district": "500103"}), 409,
                "contract-revert")
        refused(lambda: bank.post(f"/v1/loans/{loan}/disbursement", {"amount": 1, "district": "500100"}), 400,
                "bad-request")
        portfolio = {p["applicationId"]: p for p in bank.get("/v1/portfolio")}
    assert paid["loan"]["status"] == "DISBURSED" and paid["loan"]["outstanding"] == 20_000_000
    assert paid["lines"] == [f"application {loan}: DISBURSED, outstanding 200,000.00 yuan"]
    assert repaid["loan"]["outstanding"] == 15_000_000 and late["loan"]["status"] == "OVERDUE"
    assert bad["loan"]["status"] == "DEFAULTED" and bad["claim"] is None
    assert claimed["claim"]["loss"] == 15_000_000 and claimed["claim"]["municipalPaid"] == 6_000_000
    assert claimed["lines"][1].startswith("  loss 150,000.00 yuan; municipal pool paid 60,000.00 yuan")
    assert portfolio[loan]["status"] == claimed["loan"]["status"] and portfolio[loan]["outstanding"] == 15_000_000
    assert set(world.ids["bank-a"]) <= set(portfolio) and not set(world.ids["bank-b"]) & set(portfolio)


def test_only_a_bank_may_use_the_bank_routes(world: Served) -> None:
    with ApiClient(world.url, world.key("enterprise-1")) as enterprise:
        refused(lambda: enterprise.get("/v1/applications"), 403, "role-forbidden")
        refused(lambda: enterprise.get(f"/v1/applications/{world.ids['bank-a'][0]}"), 403, "role-forbidden")
        refused(lambda: enterprise.post(f"/v1/loans/{world.ids['bank-a'][0]}/claim"), 403, "role-forbidden")


def test_a_method_the_path_does_not_take_names_every_method_it_does(world: Served) -> None:
    """GET and POST on /v1/applications are two routes: the 405's Allow names both (RFC 9110 §15.5.6),
    not only the first route's (schemathesis's ST205 caught it)."""
    answer = httpx.request("DELETE", f"{world.url}/v1/applications")
    assert answer.status_code == 405 and answer.headers["allow"] == "GET, POST"
    assert answer.json()["type"] == "/problems/method-not-allowed"
