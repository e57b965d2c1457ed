"""The auditors' routes against a real server: a trace (every format the command has) is the command's own
output, an object fetched by SHA-256 is its bytes, a leaked file names its recipient with a proof that
``credtrace log check`` accepts; ``--api`` on ``audit trace`` and ``audit leak`` prints what they print
locally. Hostile: a bank, an enterprise or an unsigned caller asking for a trace is refused, and each refusal
leaves a DENIED event in the log."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from oracle_world import log_events, model_folder, run
from oversight_world import Overseen, overseen

from api.client import ApiClient, ApiProblem

__all__ = ["overseen"]
OCTETS = "application/octet-stream"


def test_a_trace_over_http_is_the_commands_own_output_in_every_format(overseen: Overseen) -> None:
    code = overseen.code()
    with ApiClient(overseen.url, overseen.key("auditor")) as api:
        doc = api.get("/v1/audit/trace", enterprise=code)
        assert doc == json.loads(run(overseen.twin, "audit", "trace", "--enterprise", code, "--json"))
        assert doc["ok"] and doc["counts"]["verified"] == doc["counts"]["log_events"] > 0
        assert code not in json.dumps(doc)
        for fmt in ("prov-json", "prov-o", "openlineage"):
            answer = api.fetch("/v1/audit/trace", dataset="tax", format=fmt)
            local = run(overseen.twin, "audit", "trace", "--dataset", "tax", "--format", fmt)
            assert answer.text.rstrip("\n") == local.rstrip("\n")  # the command ends what it prints with a newline
        text = api.fetch("/v1/audit/trace", enterprise=code, format="text")
    assert text.headers["Credtrace-Trace-Of"] == f"enterprise {doc['target']['label']}"
    assert "Credtrace-Trace-Failed" not in text.headers


def test_audit_trace_and_leak_with_api_print_what_they_print_locally(overseen: Overseen, tmp_path: Path) -> None:
    code, api = overseen.code(), ("--api", overseen.url)
    for target in (("--enterprise", code), ("--dataset", "tax")):
        assert run(overseen.twin, "audit", "trace", *target, *api) == run(overseen.twin, "audit", "trace", *target)
    local = run(overseen.twin, "audit", "trace", "--application", "1", ok=False)  # the world has none
    remote = run(overseen.twin, "audit", "trace", "--application", "1", *api, ok=False)
    assert local == "error: no application 1 on chain: it has 0\n"  # the server's error names its problem too
    assert remote.startswith("error: No such resource: no application 1 on chain: it has 0 (/problems/not-found, ")
    out = tmp_path / "trace.jsonl"
    lineage = ("audit", "trace", "--enterprise", code, "--format", "openlineage", "--out")
    said = run(overseen.twin, *lineage, str(out), *api)
    assert said == run(overseen.twin, *lineage, str(tmp_path / "local.jsonl")).replace("local.jsonl", "trace.jsonl")
    assert out.read_text() == (tmp_path / "local.jsonl").read_text()
    leaked = str(overseen.leaked)
    assert run(overseen.twin, "audit", "leak", leaked, *api) == run(overseen.twin, "audit", "leak", leaked)
    assert run(overseen.twin, "audit", "leak", leaked, "--json", *api) == \
        run(overseen.twin, "audit", "leak", leaked, "--json")


def test_a_leaked_file_names_its_recipient_with_a_proof_log_check_accepts(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("regulator")) as api:
        found = api.upload("/v1/audit/leaks", overseen.leaked.read_bytes(), OCTETS, name="leaked.json")
        stripped = api.upload("/v1/audit/leaks", b'{"records": [{"x": 1}]}', OCTETS)
    [export] = found["exports"]
    assert found["traceable"] and export["recipient"] == overseen.key("bank-b").address
    saved = overseen.twin.parent / "leak-witness.json"
    saved.write_text(json.dumps(export["witness"]))
    assert f"ok: event {export['event_index']} is in the tree" in run(overseen.twin, "log", "check", str(saved))
    assert stripped["traceable"] is False and stripped["exports"] == []


def test_an_object_by_its_sha256_is_its_bytes(overseen: Overseen) -> None:
    model = (model_folder(overseen.home) / "model.json").read_bytes()
    sha = hashlib.sha256(model).hexdigest()
    with ApiClient(overseen.url, overseen.key("auditor")) as api:
        answer = api.fetch(f"/v1/objects/{sha}")
        assert answer.content == model and answer.headers["Credtrace-Object-Kind"] == "model"
        with pytest.raises(ApiProblem) as missing:
            api.fetch(f"/v1/objects/{'0' * 64}")
        assert missing.value.status == 404 and missing.value.problem["type"] == "/problems/not-found"
        with pytest.raises(ApiProblem) as malformed:
            api.fetch("/v1/objects/not-a-hash")
        assert malformed.value.status == 422


@pytest.mark.parametrize("who", ["bank-a", "enterprise-1", "tax-bureau"])
def test_a_participant_who_is_not_an_overseer_is_refused_and_the_refusal_is_logged(overseen: Overseen,
                                                                                   who: str) -> None:
    caller = overseen.key(who)
    with ApiClient(overseen.url, caller) as api, pytest.raises(ApiProblem) as refused:
        api.get("/v1/audit/trace", enterprise=overseen.code())
    assert refused.value.status == 403 and refused.value.problem["type"] == "/problems/role-forbidden"
    _, last = log_events(overseen.home)[-1]
    assert last["action"] == "DENIED" and last["actor"] == caller.address
    assert last["purpose"] == "http GET /v1/audit/trace" and last["request_id"] == refused.value.problem["request_id"]
    assert overseen.code() not in json.dumps(last)


def test_an_unsigned_read_is_refused_and_logged_as_denied(overseen: Overseen) -> None:
    before = len(log_events(overseen.home))
    for answer in (httpx.get(f"{overseen.url}/v1/audit/trace", params={"dataset": "tax"}),
                   httpx.post(f"{overseen.url}/v1/audit/leaks", content=overseen.leaked.read_bytes())):
        assert answer.status_code == 401 and answer.json()["type"] == "/problems/signature-missing"
    denied = [e for _, e in log_events(overseen.home)[before:]]
    assert [e["action"] for e in denied] == ["DENIED", "DENIED"]


def test_a_trace_needs_one_target(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("auditor")) as api, pytest.raises(ApiProblem) as refused:
        api.get("/v1/audit/trace", enterprise=overseen.code(), dataset="tax")
    assert refused.value.status == 400 and "give one target" in refused.value.problem["detail"]
