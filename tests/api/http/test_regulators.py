"""The regulators' routes against a real server: sanction and lift, approve and retire a model, the
operating ledger, a replay as a job — each answering what its command does, and the command with ``--api``
printing what it prints locally. Hostile: an auditor or a bank trying to sanction, a suspended regulator,
a malformed credit code, a model approved twice, and a replay job over a log with an edited event, whose
result names the mismatch (and whose trace over HTTP says the proof failed)."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from oracle_world import copy, log_events, model_folder, run
from oversight_world import Overseen, anchor, overseen
from server import serving

from api.cli.model import ids
from api.client import ApiClient, ApiProblem
from api.settings import Settings
from ledger.chain import KeyStore

__all__ = ["overseen"]


def finished(api: ApiClient, job: dict[str, Any], timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = api.get(f"/v1/jobs/{job['id']}")
    return job


def test_a_regulator_sanctions_and_lifts_and_the_command_with_api_prints_the_same(overseen: Overseen) -> None:
    code = overseen.code()
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        listed = api.post("/v1/sanctions", {"credit_code": code, "reason": "FALSE_DATA"})
        lifted = api.post("/v1/sanctions/lifts", {"credit_code": code, "reason": "a court overturned it"})
    assert listed["listed"] is True and lifted == {"listed": False, "subject": listed["subject"]}
    for act in ("add", "lift"):
        local = run(overseen.twin, "sanctions", act, code, "--reason", "LOAN_FRAUD")
        assert run(overseen.twin, "sanctions", act, code, "--reason", "LOAN_FRAUD", "--api", overseen.url) == local
        assert local.startswith(f"{code}: {'listed' if act == 'add' else 'not listed'} (pseudonym ")


@pytest.mark.parametrize("who", ["auditor", "bank-a"])
def test_who_is_not_a_regulator_may_not_sanction(overseen: Overseen, who: str) -> None:
    with ApiClient(overseen.url, overseen.key(who)) as api, pytest.raises(ApiProblem) as refused:
        api.post("/v1/sanctions", {"credit_code": overseen.code(), "reason": "FALSE_DATA"})
    assert refused.value.status == 403 and refused.value.problem["type"] == "/problems/role-forbidden"
    said = run(overseen.twin, "sanctions", "add", overseen.code(), "--reason", "FALSE_DATA", "--as", who,
               "--api", overseen.url, ok=False)
    assert said.startswith("error: The participant's role may not do this: ") and "/problems/role-forbidden" in said


def test_a_suspended_regulator_is_refused(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("regulator-2")) as api, pytest.raises(ApiProblem) as refused:
        api.post("/v1/sanctions", {"credit_code": overseen.code(), "reason": "FALSE_DATA"})
    assert refused.value.status == 403 and refused.value.problem["type"] == "/problems/participant-not-active"


def test_a_malformed_credit_code_is_refused_before_the_chain(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("regulator")) as api, pytest.raises(ApiProblem) as refused:
        api.post("/v1/sanctions", {"credit_code": "91500000MA5U000000", "reason": "FALSE_DATA"})
    assert refused.value.status == 422 and refused.value.problem["type"] == "/problems/identifier-invalid"


def test_models_are_approved_and_retired_as_the_commands_do(overseen: Overseen) -> None:
    pending = overseen.model_id
    local = run(overseen.twin, "model", "approve", pending)
    assert run(overseen.twin, "model", "approve", pending, "--api", overseen.url) == local == f"approved {pending}\n"
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        with pytest.raises(ApiProblem) as twice:
            api.post(f"/v1/models/{pending}/approval")
        assert twice.value.status == 409 and twice.value.problem["type"] == "/problems/contract-revert"
        assert api.post(f"/v1/models/{pending}/retirement", {"reason": "superseded"}) == {
            "model_id": pending, "action": "retired"}
    served = ids(model_folder(overseen.twin))[0]
    local = run(overseen.twin, "model", "retire", served, "--reason", "DATA_MISUSE")
    assert run(overseen.twin, "model", "retire", served, "--reason", "DATA_MISUSE", "--api", overseen.url) == local
    with ApiClient(overseen.url, overseen.key("auditor")) as api, pytest.raises(ApiProblem) as refused:
        api.post(f"/v1/models/{served}/approval")
    assert refused.value.status == 403


def test_the_operating_ledger_is_what_the_commands_print_as_json(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        figures = api.get("/v1/ledger")
        departments = api.get("/v1/ledger/departments")
    local = json.loads(run(overseen.twin, "ledger", "report", "--json"))
    assert {k: v for k, v in figures.items() if k != "source"} == {k: v for k, v in local.items() if k != "source"}
    assert figures["source"]["contract"] == local["source"]["contract"]
    shown = json.loads(run(overseen.twin, "report", "departments", "--json"))
    assert [d["department"] for d in departments] == [d["department"] for d in shown]
    for ours, theirs in zip(departments, shown, strict=True):
        assert ours["timeliness"] == (None if math.isnan(theirs["timeliness"]) else theirs["timeliness"])
    with ApiClient(overseen.url, overseen.key("bank-a")) as api, pytest.raises(ApiProblem) as refused:
        api.get("/v1/ledger")
    assert refused.value.status == 403


TERMS = {"municipal_bps": 4000, "district_bps": 2000, "bank_bps": 4000, "subsidy_bps": 2500, "quorum": 1,
         "approval_days": 30, "claim_days": 180, "loan_cap": "2,000,000", "bank_year_cap": "50,000,000"}


def test_a_regulator_sets_a_policy_version_as_policy_set_does(overseen: Overseen) -> None:
    options = [a for k, v in TERMS.items() for a in (f"--{k.replace('_', '-')}", str(v))]
    local = run(overseen.twin, "policy", "set", *options)
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        first = api.post("/v1/policy", TERMS)
        second = api.post("/v1/policy", {"quorum": 2})
        with pytest.raises(ApiProblem) as empty:
            api.post("/v1/policy", {})
    assert local.startswith(f"loss-sharing policy version {first['version']} (latest {first['version']})")
    assert first["loan_cap"] == 200_000_000 and first["approval_validity"] == 30 * 86_400
    assert second == {**first, "version": first["version"] + 1, "quorum": 2}
    assert empty.value.status == 400 and "nothing to set" in empty.value.problem["detail"]
    with ApiClient(overseen.url, overseen.key("bank-a")) as api, pytest.raises(ApiProblem) as refused:
        api.post("/v1/policy", {"quorum": 3})
    assert refused.value.status == 403


def test_a_replay_runs_as_a_job_with_progress_and_its_report_as_result(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        answer = api.http.post("/v1/replays")
        assert answer.status_code == 202 and answer.headers["Location"] == f"/v1/jobs/{answer.json()['id']}"
        job = finished(api, answer.json())
    assert job["state"] == "succeeded" and job["kind"] == "replay", job
    assert job["result"]["ok"] is True, job["result"]["mismatches"]
    assert job["result"]["blocks"] > 0 and job["result"]["decisions"] == 0 and job["done"] > 0
    said = run(overseen.twin, "replay", "--api", overseen.url)
    assert re.fullmatch(r"ok: replayed \d+ blocks, \d+ events, 0 decisions from genesis; everything matches\n", said)
    with ApiClient(overseen.url, overseen.key("auditor")) as api, pytest.raises(ApiProblem) as refused:
        api.post("/v1/replays")
    assert refused.value.status == 403


@pytest.fixture(scope="module")
def tampered(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    """A served world whose first event was edited after it was anchored (by the insider who owns the file)."""
    home = copy(http_base, tmp_path_factory.mktemp("tampered") / "home")
    anchor(home)
    index, event = log_events(home)[0]
    engine = sa.create_engine(Settings.build(home, None).db_url)
    with engine.begin() as conn:
        for trigger in [r[0] for r in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='trigger'"))]:
            conn.execute(sa.text(f"DROP TRIGGER {trigger}"))
        edited = json.dumps({**event, "purpose": "edited-supply"}, separators=(",", ":"), sort_keys=True)
        conn.execute(sa.text("UPDATE log_events SET body = :b WHERE idx = :i"), {"b": edited, "i": index})
    engine.dispose()
    with serving(home) as url:
        yield url, home, index


def test_a_replay_job_over_an_edited_log_event_names_the_mismatch(tampered: tuple[str, Path, int]) -> None:
    url, home, index = tampered
    with ApiClient(url, KeyStore(home / "keys").load("regulator")) as api:
        job = finished(api, api.post("/v1/replays"))
        assert job["state"] == "succeeded" and job["result"]["ok"] is False
        assert any(m["step"] == "log" and f"event {index}" in m["where"] + m["what"]
                   for m in job["result"]["mismatches"]), job["result"]["mismatches"]
        asset = log_events(home)[index][1]["assets"][0]
        trace = api.fetch("/v1/audit/trace", asset=asset, format="json")
    assert trace.json()["ok"] is False
    assert trace.headers["Credtrace-Trace-Failed"].startswith("1 event(s) of the trace fail their inclusion proof")
    unsigned = httpx.get(f"{url}/v1/log/proofs/{index}")
    assert unsigned.status_code == 422 and unsigned.json()["type"] == "/problems/verification-failed"
