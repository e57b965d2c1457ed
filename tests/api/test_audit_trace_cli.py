"""``credtrace audit trace`` on the demo's home (built once for the module, copied where a test changes it):
the trace of an enterprise lists every kind of event the demo produced for it, each proved against the
root anchored on chain; the exports read back (PROV-JSON by ``prov``, and checked against the PROV-JSON
schema ``prov`` ships; PROV-O as Turtle; OpenLineage through the client's own models); an edited event
fails its proof and the command exits 1; bad targets are one ``error:`` line; no raw credit code is shown."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from ledger.chain import KeyStore
from ledger.identifiers.scan import identifiers_in


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    if not ok:
        assert result.exit_code == 1 and result.output.count("error:") == 1, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    run(home, "demo", "tour")
    return home


@pytest.fixture
def copied(demo: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo, tmp_path / "home"))


def code(home: Path, name: str) -> str:
    found = KeyStore(Settings.build(home, None).keys_dir).load(name).credit_code
    if found is None:  # enterprises 2 to 4 are the pilot's, registered by pseudonym
        from api.cli.demo_loans import known_enterprises

        found = known_enterprises(Settings.build(home, None))[name].credit_code
    assert found is not None
    return found


def trace(home: Path, *args: str, ok: bool = True) -> Any:
    return json.loads(run(home, "audit", "trace", *args, "--json", ok=ok).split("error:")[0])


def no_identifier(text: str) -> None:
    assert list(identifiers_in(text)) == []


def test_an_enterprise_after_the_demo_every_kind_of_event_each_verified(demo: Path) -> None:
    enterprise = code(demo, "enterprise-1")
    doc = trace(demo, "--enterprise", enterprise)
    log = [e for e in doc["entries"] if e["source"] == "log"]
    chain = {e["event"] for e in doc["entries"] if e["source"] == "chain"}
    assert {e["action"] for e in log} == {"INGEST", "ACCESS", "DENIED", "DECISION"}  # what the demo did with its data
    assert {"ConsentGranted", "Applied", "DecisionSubmitted", "Decided", "Disbursed", "Repaid"} <= chain
    assert doc["ok"] and all(e["proof"]["status"] == "verified" and e["proof"]["tree_size"] for e in log)
    assert doc["target"]["label"] == doc["target"]["subject"] and len(doc["target"]["subject"]) == 64
    times = [e["time"] for e in doc["entries"]]
    assert times == sorted(times)
    text = run(demo, "audit", "trace", "--enterprise", enterprise)
    assert f"{len(log)} log events ({len(log)} verified, 0 failed, 0 not yet anchored)" in text
    assert text.count("proof: verified against anchored root of tree size") == len(log)
    for out in (text, json.dumps(doc)):
        assert enterprise not in out
        no_identifier(out)


def test_each_event_of_the_trace_is_a_witness_the_chain_alone_rechecks(demo: Path, tmp_path: Path) -> None:
    doc = trace(demo, "--enterprise", code(demo, "enterprise-1"))
    witnesses = tmp_path / "witnesses.jsonl"
    witnesses.write_text("".join(json.dumps(e["witness"]) + "\n" for e in doc["entries"] if e["source"] == "log"))
    empty = tmp_path / "auditor"  # no database: the deployment file and the chain
    shutil.copytree(demo / "devnet", empty / "devnet")
    shutil.copytree(demo / "keys", empty / "keys")
    shutil.copy(demo / "deployment.json", empty / "deployment.json")
    assert run(empty, "log", "check", str(witnesses)).count("ok: event") == len(witnesses.read_text().splitlines())


def test_a_sanctioned_enterprise_shows_its_sanction_and_its_declined_application(demo: Path) -> None:
    doc = trace(demo, "--enterprise", code(demo, "enterprise-4"))
    chain = [e for e in doc["entries"] if e["source"] == "chain"]
    assert {"Sanctioned", "Applied", "Decided"} <= {e["event"] for e in chain}
    decided = next(e for e in chain if e["event"] == "Decided")
    assert decided["args"]["approved"] is False
    assert [e["action"] for e in doc["entries"] if e["source"] == "log"].count("DECISION") >= 1


def test_an_application_its_chain_events_its_decision_and_the_access_it_cites(demo: Path) -> None:
    doc = trace(demo, "--application", "1")
    log = [e for e in doc["entries"] if e["source"] == "log"]
    decision = next(e for e in log if e["action"] == "DECISION")
    cited = [e for e in log if e["action"] == "ACCESS"]
    assert cited and {e["leaf_hash"] for e in cited} == set(decision["event"]["assets"])
    assert all(e["event"]["actor"] == decision["event"]["actor"] for e in cited)  # the oracle's read, not the bank's
    assert {e["event"] for e in doc["entries"] if e["source"] == "chain"} >= {"Applied", "Decided", "Disbursed"}
    assert all(e["args"]["applicationId"] == 1 for e in doc["entries"] if e["source"] == "chain")


def test_a_dataset_and_an_asset(demo: Path) -> None:
    tax = trace(demo, "--dataset", "tax")
    ingests = [e for e in tax["entries"] if e["action"] == "INGEST"]
    assert ingests and {"ACCESS", "DECISION"} <= {e["action"] for e in tax["entries"]}
    batch = ingests[0]["event"]["assets"][0]
    one = trace(demo, "--asset", batch.upper())
    assert [e["index"] for e in one["entries"]] == [ingests[0]["index"]]


def test_prov_json_reads_back_in_prov_and_validates_against_its_schema(demo: Path, tmp_path: Path) -> None:
    import jsonschema
    from prov.model import ProvDocument

    enterprise = code(demo, "enterprise-1")
    out = tmp_path / "trace.prov.json"
    assert "wrote the trace of enterprise" in run(demo, "audit", "trace", "--enterprise", enterprise,
                                                  "--format", "prov-json", "--out", str(out))
    text = out.read_text()
    back = ProvDocument.deserialize(content=text, format="json")
    assert back == built(demo, enterprise)  # the same records as the document the command built
    assert ProvDocument.deserialize(content=back.serialize(format="json"), format="json") == back
    schema = json.loads((resources.files("prov") / "tests" / "schemas" / "prov-json.schema.json").read_text())
    jsonschema.validate(json.loads(text), schema)
    doc = trace(demo, "--enterprise", enterprise)
    activities = {str(r.identifier) for r in back.get_records() if r.get_type().localpart == "Activity"}
    assert {f"ct:event/{e['index']}" for e in doc["entries"] if e["source"] == "log"} <= activities
    kinds = {str(a) for r in back.get_records() for a in r.get_asserted_types()}
    assert {"ct:Batch", "ct:Dataset", "ct:DecisionRecord", "ct:FeatureVector", "ct:Enterprise"} <= kinds
    turtle = run(demo, "audit", "trace", "--enterprise", enterprise, "--format", "prov-o")
    assert ProvDocument.deserialize(content=turtle, format="rdf", rdf_format="turtle") == back
    for exported in (text, turtle):
        assert enterprise not in exported
        no_identifier(exported)


def built(home: Path, enterprise: str) -> Any:
    from api.actions.trace import Asked, gathered
    from api.cli.context import opened
    from ledger.lineage.provdoc import document
    from ledger.migrations import open_engine

    settings = Settings.build(home, None)
    engine = open_engine(settings.db_url)
    with opened(settings) as chain:
        found = gathered(chain, settings, engine, Asked(enterprise, None, None, None))
    engine.dispose()
    return document(found.target, found.entries, found.vectors, found.datasets)


def test_openlineage_run_events_are_the_clients_own_models(demo: Path) -> None:
    """No PyPI package ships OpenLineage's JSON schema (openlineage-python 1.54.0 has only its generated
    models): each line is rebuilt through those models, whose validators check the run id (UUID), the
    event time (ISO 8601 with a time) and the event type, and must serialise back to the same JSON."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.serde import Serde

    from ledger.lineage.runevents import CredtraceRunFacet

    enterprise = code(demo, "enterprise-1")
    lines = run(demo, "audit", "trace", "--enterprise", enterprise, "--format", "openlineage").splitlines()
    events = [json.loads(line) for line in lines]
    for doc in events:
        facet = {k: v for k, v in doc["run"]["facets"]["credtrace"].items() if not k.startswith("_")}
        rebuilt = RunEvent(
            eventType=RunState(doc["eventType"]), eventTime=doc["eventTime"], producer=doc["producer"],
            run=Run(runId=doc["run"]["runId"], facets={"credtrace": CredtraceRunFacet(
                **facet, producer=doc["run"]["facets"]["credtrace"]["_producer"])}),
            job=Job(namespace=doc["job"]["namespace"], name=doc["job"]["name"]),
            inputs=[InputDataset(d["namespace"], d["name"]) for d in doc["inputs"]],
            outputs=[OutputDataset(d["namespace"], d["name"]) for d in doc["outputs"]])
        assert Serde.to_dict(rebuilt) == doc
        assert doc["schemaURL"].startswith("https://openlineage.io/spec/2-0-2/OpenLineage.json")
    assert {d["job"]["name"] for d in events} == {"ingest", "access", "denied", "decide"}
    assert len({d["run"]["runId"] for d in events}) == len(events)
    decide = next(d for d in events if d["job"]["name"] == "decide")
    assert any(i["name"].startswith("vector/") for i in decide["inputs"]) and decide["outputs"][0]["name"].startswith(
        "record/")
    assert all(d["run"]["facets"]["credtrace"]["proof"]["status"] == "verified" for d in events)
    assert enterprise not in "\n".join(lines)


def test_an_edited_event_fails_its_proof_and_the_trace_exits_1(copied: Path, tmp_path: Path) -> None:
    enterprise = code(copied, "enterprise-1")
    target = next(e for e in trace(copied, "--enterprise", enterprise)["entries"] if e.get("action") == "DENIED")
    engine = sa.create_engine(Settings.build(copied, None).db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER log_events_update_guard"))
        conn.execute(sa.text("UPDATE log_events SET body = replace(body, 'granted to another bank', "
                             "'granted to this bank') WHERE idx = :i"), {"i": target["index"]})
    engine.dispose()
    out = tmp_path / "trace.json"
    text = run(copied, "audit", "trace", "--enterprise", enterprise, "--format", "prov-json", "--out", str(out),
               ok=False)
    assert f"error: 1 event(s) of the trace fail their inclusion proof (tampered?): event {target['index']}: " \
           "leaf_hash is not the hash of the event" in text
    assert not out.exists()  # a trace with a failed proof is shown, never written as an export
    doc = trace(copied, "--enterprise", enterprise, ok=False)
    failed = [e for e in doc["entries"] if e["source"] == "log" and e["proof"]["status"] == "failed"]
    assert not doc["ok"] and [e["index"] for e in failed] == [target["index"]]
    assert f"#{target['index']} DENIED" in run(copied, "audit", "trace", "--enterprise", enterprise, ok=False)


def test_an_event_edited_with_its_stored_leaf_hash_too_fails_against_the_anchored_root(copied: Path) -> None:
    """The hostile edit: the body and its leaf hash column changed together, so they agree; the audit
    path then leads to a root the chain never anchored. (Its neighbours in the same 2^DERIVED-leaf block fail
    too: their audit paths hold nodes folded from the edited leaf; further away, stored nodes are used.)"""
    from ledger.provenance import Event
    from ledger.provenance.store import DERIVED

    enterprise = code(copied, "enterprise-1")
    target = next(e for e in trace(copied, "--enterprise", enterprise)["entries"] if e.get("action") == "ACCESS")
    body = json.dumps({**target["event"], "purpose": "marketing"})
    engine = sa.create_engine(Settings.build(copied, None).db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER log_events_update_guard"))
        conn.execute(sa.text("UPDATE log_events SET body = :b, leaf_hash = :h WHERE idx = :i"), {
            "b": Event.from_json(json.loads(body)).canonical().decode(), "i": target["index"],
            "h": Event.from_json(json.loads(body)).leaf_hash()})
    engine.dispose()
    doc = trace(copied, "--enterprise", enterprise, ok=False)
    failed = {e["index"]: e["proof"]["detail"] for e in doc["entries"] if e.get("proof", {}).get("status") == "failed"}
    assert target["index"] in failed and "leaf_hash" not in failed[target["index"]]
    assert all(e["proof"]["status"] == "verified" for e in doc["entries"]
               if e["source"] == "log" and e["index"] >> DERIVED != target["index"] >> DERIVED)


def test_events_after_the_newest_anchored_checkpoint_are_not_yet_anchored(copied: Path) -> None:
    from api.cli.context import opened
    from api.platform import opened_platform
    from ledger.provenance import Event

    enterprise = code(copied, "enterprise-1")
    settings = Settings.build(copied, None)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        p.sequencer.append([Event.from_json({
            "action": "ACCESS", "actor": p.operator.address, "subject": p.pseudonymise(enterprise), "assets": [],
            "purpose": "audit-drill", "consent": None, "request_id": "late", "time": "2030-01-01T00:00:00Z"})])
        p.sequencer.seal()  # sealed and signed, not anchored
    text = run(copied, "audit", "trace", "--enterprise", enterprise)
    assert "1 not yet anchored" in text and "proof: not yet anchored" in text
    late = [e for e in trace(copied, "--enterprise", enterprise)["entries"] if e.get("event", {}) == "late"
            or (isinstance(e.get("event"), dict) and e["event"].get("request_id") == "late")]
    assert [e["proof"]["status"] for e in late] == ["unanchored"] and late[0]["witness"] is None


@pytest.mark.parametrize(("args", "said"), [
    ((), "give one target: --enterprise, --dataset, --asset or --application"),
    (("--dataset", "tax", "--asset", "ab" * 32), "give one target"),
    (("--enterprise", "91500105MA0CJJGH4X"), "--enterprise is not a valid unified social credit code"),
    (("--application", "99"), "no application 99 on chain: it has 4"),
    (("--application", "one"), "an application id"),
    (("--asset", "xyz"), "--asset must be a SHA-256: 64 hex digits"),
    (("--dataset", "salaries"), "unknown dataset: give one of tax"),
    (("--dataset", "tax", "--json", "--format", "prov-json"), "--json and --format are two different outputs"),
    (("--dataset", "tax", "--format", "csv"), "--format must be one of prov-json, prov-o, openlineage"),
])
def test_errors_are_one_line(demo: Path, args: tuple[str, ...], said: str) -> None:
    out = run(demo, "audit", "trace", *args, ok=False)
    assert said in out and "91500105MA0CJJGH4X" not in out
