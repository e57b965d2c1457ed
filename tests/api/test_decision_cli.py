"""`credtrace decision verify`: a bank's offline check of a signed decision record, with nothing but the
record and the chain (a fresh home with no deployment, no keys, no database: only --rpc and --loans), on the
devnet and on Anvil. A record the chain decided passes every check and exits 0; a tampered one exits 1 with
one `error:` line naming the first check it fails, and `--json` lists the checks; with `--proofs`, the ACCESS
event the record cites is proved in a checkpoint anchored on chain."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from decision_world import DECIDED_AT, access_event, access_log, application, decided, decision, signed, tampered
from loan_world import POLICY, LoanWorld, build
from typer.testing import CliRunner

from api.cli import app

URLS = {"devnet": "devnet_url", "anvil": "anvil_url"}


@pytest.fixture
def world(chain, backend, make_identity, sender) -> LoanWorld:  # type: ignore[no-untyped-def]
    return build(chain, backend, make_identity, sender)


@pytest.fixture
def rpc(backend: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(URLS[backend]))


def run(home: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("backend", list(URLS), indirect=True)
def test_a_bank_verifies_a_record_with_the_chain_alone_and_tampering_is_named(
        world: LoanWorld, rpc: str, tmp_path: Path) -> None:
    witnesses, checkpoint = access_log(world, f"sqlite:///{tmp_path / 'log.sqlite'}", [access_event(world)])
    app_id, raw = decided(world, access_events=(0,), checkpoint=checkpoint)
    home, good, bad = tmp_path / "empty-home", tmp_path / "record.json", tmp_path / "tampered.json"
    good.write_bytes(raw)
    proofs = tmp_path / "proofs.jsonl"  # as `credtrace log prove 0 …` prints them: JSON Lines
    proofs.write_text("".join(json.dumps(w) + "\n" for w in witnesses))
    bad.write_bytes(tampered(raw, limit=1))
    where = ["--rpc", rpc, "--loans", world.loans.contract.address]

    shown = run(home, "decision", "verify", str(good), *where)
    for name in ("envelope", "application", "decided", "subject", "signatures", "quorum", "model", "terms",
                 "record-hash"):
        assert f"ok  {name}: " in shown
    assert shown.strip().endswith("signed by its oracles") and "not checked: access-events" in shown
    report = json.loads(run(home, "decision", "verify", str(good), *where, "--json", "--application", str(app_id)))
    assert report["valid"] is True and all(c["ok"] for c in report["checks"]) and len(report["checks"]) == 9
    assert report["unchecked"] == ["access-events"]
    assert "ok  access-events: 1 ACCESS event(s) [0]" in run(home, "decision", "verify", str(good), *where,
                                                             "--proofs", str(proofs))

    refused = run(home, "decision", "verify", str(bad), *where, code=1)
    assert [line for line in refused.splitlines() if line.startswith("error:")] == [
        line for line in refused.splitlines() if "error" in line]
    assert "error: the record fails the check 'signatures'" in refused
    report = json.loads(run(home, "decision", "verify", str(bad), *where, "--json", code=1))
    assert report["valid"] is False and report["checks"][-1]["name"] == "signatures"
    other = run(home, "decision", "verify", str(good), *where, "--application", str(app_id + 1), code=1)
    assert "error: the record fails the check 'application'" in other
    assert "give the LoanLedger's address with --loans" in run(home, "decision", "verify", str(good), "--rpc", rpc,
                                                                code=1)
    assert not home.exists()  # nothing of the platform's was needed, nor written


@pytest.mark.parametrize("backend", ["devnet"], indirect=True)
def test_decision_show_joins_the_stored_signatures_on_the_decided_payload(
        world: LoanWorld, rpc: str, tmp_path: Path) -> None:
    """Needs the oracle service's store (oracle.store, migration 0013: the issue15-oracle branch)."""
    from ledger.chain import deployment
    from ledger.migrations import open_engine
    from oracle.record import record_hash
    from oracle.store import StoredRecord, store_record

    home, db = tmp_path / "home", f"sqlite:///{tmp_path / 'platform.sqlite'}"
    address = world.loans.contract.address
    deployment.save(deployment.Deployment(int(world.chain.web3.eth.chain_id), rpc, world.operator.address, {
        "LoanLedger": deployment.ContractRecord(address, "", "", "", "", 0)}), home / "deployment.json")
    world.loans.set_policy(world.send(world.regulator), replace(POLICY, quorum=2))
    oracles = world.oracles[:2]
    app_id, joined = decided(world, oracles)
    app = application(world, app_id)
    mine = signed(decision(world, app), app, oracles)
    dissent = signed(decision(world, app, score=1), app, world.oracles[2:])  # a disagreement, never final
    engine = open_engine(db)
    for oracle, one in zip(world.oracles, [*mine, *dissent], strict=True):
        store_record(engine, StoredRecord(app_id, oracle.address, one, record_hash(one), (), DECIDED_AT))
    engine.dispose()

    out = tmp_path / "record.json"
    shown = run(home, "decision", "show", str(app_id), "--rpc", rpc, "--db", db, "--out", str(out))
    assert f"application {app_id}: APPROVE" in shown and "SALES_STABLE" in shown and "at 4.50%, PD 2.1000%" in shown
    written, expected = json.loads(out.read_bytes()), json.loads(joined)
    assert written["payload"] == expected["payload"] and record_hash(out.read_bytes()) == record_hash(joined)
    assert sorted(map(str, written["signatures"])) == sorted(map(str, expected["signatures"]))  # not the dissent's
    doc = json.loads(run(home, "decision", "show", str(app_id), "--rpc", rpc, "--db", db, "--json"))
    assert doc["recordHash"] == "0x" + record_hash(joined) and doc["signers"] == sorted(o.address for o in oracles)
    assert "ok  record-hash" in run(home, "decision", "verify", str(out), "--rpc", rpc)  # the deployment's LoanLedger
    assert "no final decision" in run(home, "decision", "show", str(world.apply()), "--rpc", rpc, "--db", db, code=1)
