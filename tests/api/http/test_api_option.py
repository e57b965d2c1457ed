"""`--api URL` (issue 17): the same command, with the same output, sent signed to a running server instead
of run on this machine's platform. Each command runs twice from the same world: locally on one copy, and
with --api against the server over another; the outputs are compared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bank_world
import pytest
from bank_world import Decided, Served
from oracle_world import copy, log_events, run

from api.client import ApiClient

decided_base, world = bank_world.decided_base, bank_world.world  # the module's fixtures
VARYING = re.compile(r"received \S+|event \d+")
"""What two runs of one ingestion print differently: the arrival time and the log position (the server's log
has this module's refusals in it too)."""


@pytest.fixture(scope="module")
def local(decided_base: Decided, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same world as the server's, for the commands run on this machine."""
    return copy(decided_base.home, tmp_path_factory.mktemp("local") / "home")


def both(local: Path, world: Served, *args: str, ok: bool = True) -> tuple[str, str]:
    """(the command's output run locally, its output with --api against the server)."""
    here = run(local, *args, ok=ok)
    there = run(world.home, *args, "--api", world.url, ok=ok)
    return here, there


def test_decision_show_and_verify_print_the_same_through_the_api(local: Path, world: Served, tmp_path: Path) -> None:
    first = str(world.ids["bank-a"][0])
    here, there = both(local, world, "decision", "show", first, "--json")
    assert here == there and json.loads(here)["applicationId"] == int(first)
    assert both(local, world, "decision", "show", first) == (run(local, "decision", "show", first),) * 2
    mine, theirs = tmp_path / "local.json", tmp_path / "remote.json"
    run(local, "decision", "show", first, "--out", str(mine))
    run(world.home, "decision", "show", first, "--out", str(theirs), "--api", world.url)
    assert mine.read_bytes() == theirs.read_bytes()
    here, there = both(local, world, "decision", "verify", str(mine), "--json", "--application", first)
    assert here == there and json.loads(here)["valid"] is True
    here, there = both(local, world, "decision", "verify", str(mine))
    assert here == there and here.strip().endswith("signed by its oracles")
    forged = json.loads(mine.read_text())
    forged["signatures"][0]["sig"] = forged["signatures"][0]["sig"][::-1]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    here, there = both(local, world, "decision", "verify", str(tmp_path / "forged.json"), ok=False)
    assert here == there and "error: the record fails the check" in here


def test_another_banks_record_is_refused_through_the_api(world: Served) -> None:
    out = run(world.home, "decision", "show", str(world.ids["bank-a"][0]), "--as", "bank-b", "--api", world.url,
              ok=False)
    assert "error: The application, loan or dataset is another participant's" in out and "not-owner" in out


def test_loan_apply_and_data_ingest_print_the_same_through_the_api(local: Path, world: Served, tmp_path: Path) -> None:
    code = world.key("enterprise-1").credit_code
    assert code is not None
    here, there = both(local, world, "loan", "apply", "--enterprise", code, "--consent", world.consent_a, "--amount",
                       "100,000", "--term", "6", "--product", "SME-CREDIT-1Y", "--as", "bank-a")
    assert here == there and int(here) == max(i for ids in world.ids.values() for i in ids) + 1
    batch = tmp_path / "tax.csv"
    batch.write_text(f"credit_code,period,invoiced_sales,tax_paid\n{code},2026-04,10,1\n{code},2026-13,1,1\n")
    here, there = both(local, world, "data", "ingest", "tax", str(batch), "--as", "tax-bureau")
    assert VARYING.sub("…", here) == VARYING.sub("…", there)
    assert "tax: 2 rows, 1 stored, 1 rejected; INGEST event" in there and "row 2: " in there
    [(index, ingested)] = log_events(world.home)[-1:]
    assert ingested["action"] == "INGEST" and f"INGEST event {index};" in there
    again = run(world.home, "data", "ingest", "tax", str(batch), "--as", "tax-bureau", "--api", world.url, ok=False)
    assert "nothing was added" in again and "batch-repeated" in again  # the same file again: a retry, not a batch
    refused = run(world.home, "data", "ingest", "tax", str(batch), "--as", "social-security", "--api", world.url,
                  ok=False)
    assert "ingestion refused: the provider is not registered for the tax department" in refused
    assert log_events(world.home)[-1][1]["action"] == "DENIED"


def test_consent_grant_and_revoke_through_the_api(local: Path, world: Served) -> None:
    grant = ["consent", "grant", "--category", "tax", "--purpose", "credit-assessment", "--bank", "bank-b"]
    here, there = both(local, world, *grant)
    assert re.fullmatch(r"0x[0-9a-f]{64}\n", here) and re.fullmatch(r"0x[0-9a-f]{64}\n", there)
    consent = there.strip()
    with ApiClient(world.url, world.key("enterprise-1")) as api:
        [granted] = [c for c in api.get("/v1/consents") if c["consent_id"] == consent]
        assert granted["categories"] == ["tax"] and granted["bank"] == world.key("bank-b").address
        assert run(world.home, "consent", "revoke", consent, "--api", world.url) == f"revoked {consent}\n"
        assert run(local, "consent", "revoke", here.strip()) == f"revoked {here.strip()}\n"
        [revoked] = [c for c in api.get("/v1/consents") if c["consent_id"] == consent]
    assert revoked["revoked_at"] > 0


def test_a_loans_life_and_a_pool_deposit_print_the_same_through_the_api(local: Path, world: Served) -> None:
    loan = str(world.ids["bank-a"][1])
    said = {}
    for act in (["disburse", loan, "--amount", "200,000", "--district", "500103"],
                ["repay", loan, "--principal", "50,000", "--interest", "1,000"], ["overdue", loan, "--days", "30"],
                ["default", loan, "--days", "90"], ["claim", loan], ["recover", loan, "--amount", "10,000"],
                ["write-off", loan], ["close", loan]):
        here, there = both(local, world, "loan", *act)
        assert here == there and here.startswith(f"application {loan}: "), (act, here, there)
        said[act[0]] = there
    assert "loss 150,000.00 yuan; municipal pool paid 60,000.00 yuan" in said["claim"]
    assert said["close"].startswith(f"application {loan}: CLOSED")
    here, there = both(local, world, "pool", "fund", "500103", "--amount", "2,500", "--as", "regulator")
    assert here == there and here.startswith("500103")
    refused = run(world.home, "loan", "close", loan, "--as", "bank-b", "--api", world.url, ok=False)
    assert "not-owner" in refused


def test_only_a_regulator_deposits_into_a_pool_and_the_pools_are_read_in_fen(world: Served) -> None:
    with ApiClient(world.url, world.key("regulator")) as regulator, ApiClient(world.url, world.key("bank-a")) as bank:
        before = {p["pool"]: p for p in bank.get("/v1/pools")}
        after = regulator.post("/v1/pools/municipal/deposits", {"amount": 123})
        bank_a = bank_world.refused(lambda: bank.post("/v1/pools/municipal/deposits", {"amount": 1}), 403,
                                    "role-forbidden")
        bank_world.refused(lambda: regulator.post("/v1/pools/500100/deposits", {"amount": 1}), 400, "bad-request")
        pools = {p["pool"]: p for p in regulator.get("/v1/pools")}
    assert after == pools[0] and after["deposits"] == before[0]["deposits"] + 123
    assert after["balance"] == before[0]["balance"] + 123 and "regulator" in str(bank_a["detail"])
