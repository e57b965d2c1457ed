"""`credtrace replay` (issue 16), the regulator's command, on the embedded devnet: a clean world passes with
exit 0; each tamper drill — a byte changed in a stored decision record, a stored feature vector edited, a model
artifact edited, a provenance event edited, a decision record deleted — exits 1 and is named (step, where,
what) in the summary and in `--json`; `--html` writes a page. Built once (the oracle world with two decided
applications) and copied for each drill."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from oracle_world import apply, build, copy, grant, model_folder, query, run
from typer.testing import CliRunner

from api.cli import app
from api.replay.chain import UNAVAILABLE
from api.settings import Settings


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("replay") / "home"
    build(home)
    consent = grant(home)
    apply(home, consent)
    apply(home, consent, "300,000")
    run(home, "oracle", "run", "--once", "--batch", "2")
    return home


@pytest.fixture
def home(base: Path, tmp_path: Path) -> Path:
    return copy(base, tmp_path / "home")


def replayed(home: Path) -> dict[str, Any]:
    """`replay --json` on a tampered home: exit 1, the report alone on stdout."""
    result = CliRunner().invoke(app, ["--home", str(home), "replay", "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    found: dict[str, Any] = json.loads(result.output)
    assert found["ok"] is False and found["mismatches"]
    return found


def execute(home: Path, sql: str, **params: Any) -> None:
    engine = sa.create_engine(Settings.build(home, None).db_url)
    try:
        with engine.begin() as conn:
            for trigger in [r[0] for r in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='trigger'"))]:
                conn.execute(sa.text(f"DROP TRIGGER {trigger}"))  # the insider who owns the file
            conn.execute(sa.text(sql), params)
    finally:
        engine.dispose()


def named(found: dict[str, Any], step: str, *words: str) -> list[dict[str, str]]:
    hits = [m for m in found["mismatches"] if m["step"] == step and all(w in m["where"] + " " + m["what"]
                                                                          for w in words)]
    assert hits, found["mismatches"]
    return hits


@contextmanager
def served(home: Path) -> Iterator[str]:
    """The home's devnet over JSON-RPC (as `credtrace devnet` serves it), in this process."""
    from api.cli.context import embedded_config
    from devnet import Devnet
    from ledger.chain import deployment

    settings = Settings.build(home, None)
    node = Devnet(embedded_config(settings, port=0), deployment.registry_locator(settings.deployment_path))
    with node.serving() as url:
        yield url


def test_a_clean_world_replays_from_genesis_and_matches(home: Path, tmp_path: Path) -> None:
    page = tmp_path / "replay.html"
    with served(home) as url:
        out = run(home, "replay", "--rpc", url, "--html", str(page))
        found = json.loads(run(home, "replay", "--rpc", url, "--json"))
    assert "ok: replayed" in out and "2 decisions" in out
    assert set(found) == {"ok", "blocks", "events", "decisions", "mismatches"}
    assert found["ok"] is True and found["decisions"] == 2 and found["mismatches"] == []
    assert found["blocks"] > 0 and found["events"] > 0
    assert "PASS" in page.read_text()


def test_over_rpc_a_contract_whose_code_is_not_its_artifact_is_named(home: Path) -> None:
    path = Settings.build(home, None).deployment_path
    doc = json.loads(path.read_text())
    doc["contracts"]["ProvenanceLog"]["address"] = doc["contracts"]["ConsentRegistry"]["address"]
    path.write_text(json.dumps(doc))
    with served(home) as url:
        result = CliRunner().invoke(app, ["--home", str(home), "replay", "--rpc", url, "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    found = json.loads(result.output)
    assert named(found, "chain", "ProvenanceLog", "differs from the artifact")
    assert named(found, "log", "provenance log", "does not verify")  # its roots are not where the log was anchored


def test_without_re_execution_the_embedded_chain_is_a_mismatch_not_a_pass(home: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "devnet.resync", None)  # what a devnet without the module gives
    found = replayed(home)
    assert [m["what"] for m in found["mismatches"]] == [UNAVAILABLE]
    assert found["decisions"] == 2 and found["events"] > 0


def test_a_byte_changed_in_a_stored_decision_record_is_named(home: Path) -> None:
    [(app_id, raw)] = query(home, "SELECT application_id, record FROM decision_records "
                                          "ORDER BY application_id LIMIT 1")
    doc = json.loads(bytes(raw))
    signature = doc["signatures"][0]["sig"]
    doc["signatures"][0]["sig"] = ("0" if signature[0] != "0" else "1") + signature[1:]  # one byte, payload intact
    execute(home, "UPDATE decision_records SET record = :r WHERE application_id = :a", r=json.dumps(doc).encode(),
            a=app_id)
    found = replayed(home)
    assert named(found, "decisions", f"application {app_id}", "signatures")
    out = run(home, "replay", ok=False)
    assert f"application {app_id}" in out and "mismatch(es)" in out


def test_a_payload_byte_changed_is_named_as_a_hash_that_is_not_the_chains(home: Path) -> None:
    [(app_id, raw)] = query(home, "SELECT application_id, record FROM decision_records ORDER BY application_id LIMIT 1")
    doc = json.loads(bytes(raw))
    doc["payload"] = doc["payload"][:-8] + ("A" if doc["payload"][-8] != "A" else "B") + doc["payload"][-7:]
    execute(home, "UPDATE decision_records SET record = :r WHERE application_id = :a", r=json.dumps(doc).encode(),
            a=app_id)
    found = replayed(home)
    assert named(found, "state", "decision_records", f"application {app_id}")


def test_a_stored_feature_vector_edited_is_named(home: Path) -> None:
    [(digest, data)] = query(home, "SELECT vector_hash, canonical FROM feature_vectors LIMIT 1")
    doc = json.loads(bytes(data))
    name = next(k for k, v in doc.items() if isinstance(v, float | int))
    doc[name] = doc[name] + 1
    execute(home, "UPDATE feature_vectors SET canonical = :c WHERE vector_hash = :h",
            c=json.dumps(doc, sort_keys=True, separators=(",", ":")).encode(), h=digest)
    found = replayed(home)
    assert named(found, "state", "feature_vectors", digest)
    assert named(found, "decisions", "feature vector", digest)


def test_a_model_artifact_edited_is_named(home: Path) -> None:
    path = model_folder(home) / "model.json"
    doc = json.loads(path.read_bytes())
    doc["edited"] = True
    path.write_text(json.dumps(doc))
    found = replayed(home)
    assert named(found, "decisions", "no model artifact")


def test_a_provenance_event_edited_is_named(home: Path) -> None:
    [(index, body)] = query(home, "SELECT idx, body FROM log_events WHERE body LIKE '%\"DECISION\"%' LIMIT 1")
    execute(home, "UPDATE log_events SET body = :b WHERE idx = :i", b=body.replace("DECISION", "DECISIoN"), i=index)
    found = replayed(home)
    assert named(found, "log", f"event {index}")


def test_a_deleted_decision_record_is_named(home: Path) -> None:
    [(app_id,)] = query(home, "SELECT application_id FROM decision_records ORDER BY application_id LIMIT 1")
    execute(home, "DELETE FROM decision_records WHERE application_id = :a", a=app_id)
    found = replayed(home)
    assert named(found, "state", "decision_records", f"application {app_id}", "deleted")
    assert named(found, "decisions", f"application {app_id}", "no stored decision record")


def test_a_catalogue_batch_and_an_oracle_case_edited_are_named(home: Path) -> None:
    [(batch,)] = query(home, "SELECT batch_id FROM catalogue_batches WHERE event_index IS NOT NULL LIMIT 1")
    execute(home, "UPDATE catalogue_batches SET content_hash = :h WHERE batch_id = :b", h="ab" * 32, b=batch)
    [(app_id,)] = query(home, "SELECT application_id FROM oracle_cases ORDER BY application_id LIMIT 1")
    execute(home, "UPDATE oracle_cases SET access_events = '[0]' WHERE application_id = :a", a=app_id)
    found = replayed(home)
    assert named(found, "state", f"catalogue_batches row {batch}", "ab" * 32)
    assert named(found, "state", f"oracle_cases row (application {app_id})", "log event 0")
    assert named(found, "decisions", f"application {app_id}", "re-run gives a payload")  # the case is re-used


def test_a_loan_edited_where_the_chain_keeps_it_on_disk_is_named_by_its_block(home: Path) -> None:
    """The platform's database keeps no loan rows: a loan's terms live in the devnet's stored transactions and
    state. Change the amount of the second application in its stored ``applyFor`` transaction (the devnet's
    SQLite file, as an insider could) and step 1's re-execution names the block."""
    import sqlite3

    from devnet.datadir import STORE_FILE

    amount, edited = (30_000_000).to_bytes(32, "big"), (40_000_000).to_bytes(32, "big")  # fen, as applyFor has it
    store = Settings.build(home, None).devnet_dir / STORE_FILE
    with sqlite3.connect(store) as db:
        rows = [(bytes(k), bytes(v)) for k, v in db.execute("SELECT k, v FROM kv") if amount in bytes(v)]
        assert rows
        for key, value in rows:
            db.execute("UPDATE kv SET v = ? WHERE k = ?", (value.replace(amount, edited), key))
    found = replayed(home)
    assert [m for m in found["mismatches"] if m["step"] == "chain" and m["where"].startswith("block")], found
