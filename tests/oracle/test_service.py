"""`credtrace oracle run` on the embedded devnet (issue 15): an application decided, its record stored
and its DECISION event naming the gate's ACCESS events; SIGKILL at each point then exactly once; the
2-of-3 quorum; the declines and refusals, each recorded in the log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from oracle_world import apply, credtrace, grant, loan, log_events, model_folder, query, run

from oracle import record
from oracle.store import records_for


def engine_records(home: Path, application_id: int) -> list[bytes]:
    import sqlalchemy as sa

    from api.settings import Settings

    engine = sa.create_engine(Settings.build(home, None).db_url)
    try:
        return records_for(engine, application_id)
    finally:
        engine.dispose()


def decisions(home: Path, application_id: int) -> list[dict[str, object]]:
    return [e for _, e in log_events(home) if e["action"] == "DECISION" and e["request_id"].endswith(
        f" {application_id}")]


def test_once_decides_an_application_stores_its_record_and_logs_the_decision(home: Path) -> None:
    application = apply(home, grant(home))
    out = run(home, "oracle", "run", "--once")
    assert f"application {application}: " in out and "from the Applied block to the receipt" in out
    shown = loan(home, application)
    assert shown["status"] in ("APPROVED", "DECLINED")
    [stored] = engine_records(home, application)
    assert "0x" + record.record_hash(stored) == shown["recordHash"]
    predicate = record.opened(stored)["predicate"]
    assert predicate["applicationId"] == application and predicate["featureVectorHash"]
    assert len(predicate["reasons"]) <= 4 and predicate["checkpoint"]["treeSize"] > max(predicate["accessEvents"])
    events = dict(log_events(home))
    [decision] = decisions(home, application)
    [read] = [events[i] for i in predicate["accessEvents"]]
    assert read["action"] == "ACCESS" and read["actor"] == decision["actor"] and read["subject"] == decision["subject"]
    assert decision["outputs"] == [record.record_hash(stored)]
    vector = query(home, "SELECT canonical FROM feature_vectors WHERE vector_hash = :h",
                   h=predicate["featureVectorHash"])
    assert len(vector) == 1
    assert "application " not in run(home, "oracle", "run", "--once")  # nothing new: the cursor moved
    assert len(decisions(home, application)) == 1 and len(engine_records(home, application)) == 1
    assert "ok: " in run(home, "log", "verify")  # the DECISION event is in canonical form


@pytest.mark.parametrize("point", ["after-read", "after-sign", "after-send", "before-cursor"])
def test_killed_at_any_point_the_restart_decides_exactly_once(home: Path, point: str) -> None:
    consent = grant(home)
    first, second = apply(home, consent), apply(home, consent, "300,000")
    killed = credtrace(home, "oracle", "run", "--once", "--batch", "2",
                       env={**os.environ, "CREDTRACE_ORACLE_CRASH_AT": point})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    run(home, "oracle", "run", "--once", "--batch", "2")  # the restart (in this process: quicker)
    for application in (first, second):
        shown = loan(home, application)
        assert shown["status"] in ("APPROVED", "DECLINED")
        [stored] = engine_records(home, application)
        assert "0x" + record.record_hash(stored) == shown["recordHash"]
        assert len(decisions(home, application)) == 1
    assert "application " not in run(home, "oracle", "run", "--once")


def test_follow_decides_applications_as_they_come(home: Path) -> None:
    import subprocess
    import sys
    import time

    consent = grant(home)
    command = [str(Path(sys.executable).parent / "credtrace"), "--home", str(home), "oracle", "run", "--follow",
               "--poll", "0.2"]
    follower = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert follower.stdout is not None and "serves model" in follower.stdout.readline()
        application = apply(home, consent)  # through the follower's node (the devnet serves one process)
        deadline = time.monotonic() + 60
        while not query(home, "SELECT 1 FROM decision_records WHERE application_id = :a", a=application):
            assert time.monotonic() < deadline and follower.poll() is None
            time.sleep(0.2)
        assert f"application {application}: " in follower.stdout.readline()
        assert loan(home, application)["status"] in ("APPROVED", "DECLINED")
    finally:
        follower.terminate()
        follower.wait(timeout=30)


def test_two_processes_for_one_key_do_not_both_act(home: Path) -> None:
    from oracle.errors import OracleBusy
    from oracle.lease import Lease

    with Lease(home / "oracle" / "oracle.lock"):
        refused = credtrace(home, "oracle", "run", "--once")
        assert refused.returncode == 1 and "another oracle process holds" in refused.stderr
        with pytest.raises(OracleBusy):
            Lease(home / "oracle" / "oracle.lock")


def _second_oracles(home: Path) -> None:
    from api.settings import Settings
    from ledger.chain import KeyStore
    from ledger.types import Role

    store = KeyStore(Settings.build(home, None).keys_dir)
    for n in (2, 3):
        store.create(f"oracle-{n}", Role.ORACLE, f"Credit Scoring Oracle {n} (test)")
    run(home, "participants", "register", "oracle-2", "oracle-3")
    run(home, "policy", "set", "--municipal-bps", "4000", "--district-bps", "2000", "--bank-bps", "4000",
        "--subsidy-bps", "2500", "--quorum", "2", "--approval-days", "30", "--claim-days", "180",
        "--loan-cap", "5,000,000", "--bank-year-cap", "50,000,000")


def _different_model(home: Path) -> Path:
    """The served model with its intercept moved: another model id, other scores, so another record hash."""
    from api.cli.model import ids
    from scoring import artifact

    doc = json.loads((model_folder(home) / "model.json").read_bytes())
    doc["intercept"] = float(doc["intercept"]) + 1.5
    folder = home / "other-model"
    folder.mkdir()
    model_id = artifact.write(doc, folder / "model.json")
    report = json.loads((model_folder(home) / "report.json").read_text())
    (folder / "report.json").write_text(json.dumps({**report, "model_id": model_id}))
    run(home, "model", "register", str(folder))
    run(home, "model", "approve", ids(folder)[0])
    return folder


def test_two_of_three_oracles_agree_and_a_different_model_is_a_disagreement(home: Path) -> None:
    _second_oracles(home)
    other = _different_model(home)
    application = apply(home, grant(home))
    out = run(home, "oracle", "run", "--once", "--as", "oracle-3", "--model", str(other))  # the odd one out
    assert "vote 1 of 2, not final yet" in out
    run(home, "oracle", "run", "--once", "--as", "oracle", "--model", str(model_folder(home)))
    assert loan(home, application)["status"] == "APPLIED"  # one vote each for two hashes: not final
    run(home, "oracle", "run", "--once", "--as", "oracle-2", "--model", str(model_folder(home)))
    shown = loan(home, application)
    assert shown["status"] in ("APPROVED", "DECLINED")
    stored = engine_records(home, application)
    hashes = [record.record_hash(r) for r in stored]
    assert len(stored) == 3 and len(set(hashes)) == 2
    agreed = [r for r in stored if "0x" + record.record_hash(r) == shown["recordHash"]]
    assert len(agreed) == 2 and agreed[0] != agreed[1]  # the same payload, two signatures
    assert len(record.envelope(record.combined(agreed)).signatures) == 2
    cases = query(home, "SELECT access_events FROM oracle_cases WHERE application_id = :a", a=application)
    assert len(cases) == 1
    for r in stored:
        assert record.opened(r)["predicate"]["accessEvents"] == json.loads(cases[0][0])
    actors = {e["actor"] for e in decisions(home, application)}
    assert len(actors) == 3  # each oracle's own DECISION event, naming its own reads


def _decline_reason(home: Path, application: int) -> str:
    [stored] = engine_records(home, application)
    predicate = record.opened(stored)["predicate"]
    assert predicate["decision"] == "DECLINE" and loan(home, application)["status"] == "DECLINED"
    [decision] = decisions(home, application)
    assert decision["reason"].startswith("DECLINE")
    return str(predicate["reasons"][0]["code"])


def test_a_sanctioned_enterprise_is_declined_without_a_read(home: Path) -> None:
    from api.settings import Settings
    from ledger.chain import KeyStore

    application = apply(home, grant(home))
    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    run(home, "sanctions", "add", code, "--reason", "FALSE_DATA")
    run(home, "oracle", "run", "--once")
    assert _decline_reason(home, application) == "SANCTIONED"


def test_a_revoked_consent_is_a_denied_read_and_a_decline(home: Path) -> None:
    consent = grant(home)
    application = apply(home, consent)
    run(home, "consent", "revoke", consent)
    run(home, "oracle", "run", "--once")
    assert _decline_reason(home, application) == "CONSENT_INVALID"
    [stored] = engine_records(home, application)
    denied = dict(log_events(home))[record.opened(stored)["predicate"]["accessEvents"][0]]
    assert denied["action"] == "DENIED" and "revoked" in denied["reason"]


def test_an_expired_consent_is_a_denied_read_and_a_decline(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from types import SimpleNamespace

    application = apply(home, grant(home))  # valid for 90 days
    # the platform's clock 100 days on: the gate asks it whether a consent is still valid
    later = SimpleNamespace(time=lambda: time.time() + 100 * 86_400, time_ns=time.time_ns)
    monkeypatch.setattr("api.platform.time", later)
    run(home, "oracle", "run", "--once")
    assert _decline_reason(home, application) == "CONSENT_INVALID"
    [stored] = engine_records(home, application)
    denied = dict(log_events(home))[record.opened(stored)["predicate"]["accessEvents"][0]]
    assert denied["action"] == "DENIED" and denied["reason"] == "expired"


def test_a_suspended_bank_is_a_denied_read_and_a_decline(home: Path) -> None:
    application = apply(home, grant(home))
    run(home, "participants", "suspend", "bank-a", "--reason", "LATE_REPORTING")
    run(home, "oracle", "run", "--once")
    assert _decline_reason(home, application) == "BANK_SUSPENDED"


def test_a_retired_model_decides_nothing_and_the_refusal_is_logged(home: Path) -> None:
    from api.cli.model import ids

    application = apply(home, grant(home))
    run(home, "model", "retire", ids(model_folder(home))[0], "--reason", "FALSE_DATA")
    refused = run(home, "oracle", "run", "--once", "--model", str(model_folder(home)), ok=False)
    assert "is not servable" in refused
    assert loan(home, application)["status"] == "APPLIED" and engine_records(home, application) == []
    assert log_events(home)[-1][1]["action"] == "DENIED"
    assert "no servable model" in run(home, "oracle", "run", "--once", ok=False)


def test_a_fresh_application_reads_no_vote_from_the_chain(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``voted`` view for an application this pass took up with no record stored (the record is stored
    before any vote, so it has none) nor before its DECISION event (the vote was mined this pass)."""
    from ledger.contracts.loan_ledger import LoanLedger

    consent = grant(home)
    applications = [apply(home, consent) for _ in range(2)]
    asked: list[int] = []
    voted = LoanLedger.voted
    monkeypatch.setattr(LoanLedger, "voted", lambda self, a, o: asked.append(a) or voted(self, a, o))
    run(home, "oracle", "run", "--once")
    assert asked == []
    assert all(len(decisions(home, a)) == 1 for a in applications)


def test_an_application_withdrawn_while_the_oracle_works_is_passed_over(home: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked against the chunk's block, an application the bank withdraws before the votes are sent makes
    the batch revert whole: the oracle looks again, keeps that record unsent and sends the rest."""
    from api.settings import Settings
    from ledger.chain import KeyStore, TransactionSender
    from oracle.service import Oracle

    consent = grant(home)
    kept, withdrawn = apply(home, consent), apply(home, consent)
    bank = KeyStore(Settings.build(home, None).keys_dir).load("bank-a")
    sign = Oracle._sign

    def sign_then_withdraw(self: Oracle, fresh: list[object]) -> None:
        sign(self, fresh)  # type: ignore[arg-type]
        self.w.loans.close(TransactionSender(self.w.chain, bank.account), withdrawn)

    monkeypatch.setattr(Oracle, "_sign", sign_then_withdraw)
    out = run(home, "oracle", "run", "--once")
    assert f"application {withdrawn}: CLOSED without this oracle's vote; its record is kept" in out
    assert loan(home, withdrawn)["status"] == "CLOSED" and loan(home, kept)["status"] in ("APPROVED", "DECLINED")
    assert len(decisions(home, kept)) == 1 and decisions(home, withdrawn) == []
    assert len(engine_records(home, withdrawn)) == 1
