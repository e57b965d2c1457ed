"""The leak emergency plan (seeds R7, issue 16): `data export` stamps every record with the recipient's
fingerprint; `audit leak` names the recipient of a leaked file, or one record copied out of it, with the
OUTPUT event's inclusion proof checked on chain; a stripped or altered file is untraceable (exit 1);
`incident open` suspends the recipient on chain, logs an INCIDENT and writes the report; `close` ends it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from oracle_world import grant, log_events, run

from api.settings import Settings
from ledger.chain import KeyStore


def key(home: Path, name: str) -> tuple[str, str | None]:
    identity = KeyStore(Settings.build(home, None).keys_dir).load(name)
    return identity.address, identity.credit_code


def exported(home: Path, to: str = "bank-b") -> tuple[Path, dict[str, object]]:
    consent, (_, code) = grant(home), key(home, "enterprise-1")
    out = home.parent / "export.json"
    run(home, "data", "export", "--as", "bank-a", "--enterprise", str(code), "--consent", consent, "--to", to,
        "--out", str(out))
    return out, json.loads(out.read_text())


def test_an_export_traces_back_to_its_recipient_with_a_proof_checked_on_chain(home: Path) -> None:
    path, document = exported(home)
    records = document["records"]
    assert isinstance(records, list) and records and all(r["_fingerprint"].startswith("tok_") for r in records)
    [(index, output)] = [(i, e) for i, e in log_events(home) if e["action"] == "OUTPUT"]
    assert output["recipient"] == key(home, "bank-b")[0] and len(output["outputs"]) == 1 + len(records)
    report = json.loads(run(home, "audit", "leak", str(path), "--json"))
    [found] = report["exports"]
    assert report["traceable"] and found["recipient"] == key(home, "bank-b")[0]
    assert found["event_index"] == index and found["time"] == output["time"]
    assert found["matched"] == found["intact"] == 1 + len(records)
    assert found["witness"]["event"] == output and found["witness"]["inclusion"]["leaf_index"] == index
    proof = home.parent / "witness.json"
    proof.write_text(json.dumps(found["witness"]))
    assert "ok: event" in run(home, "log", "check", str(proof))  # anyone re-checks it against the chain
    assert f"leaked by {found['recipient']}: OUTPUT event {index}" in run(home, "audit", "leak", str(path))


def test_one_record_copied_out_of_an_export_is_attributed(home: Path) -> None:
    _, document = exported(home)
    excerpt = home.parent / "one-record.json"
    record = document["records"][-1]  # type: ignore[index]
    excerpt.write_text(json.dumps(record, indent=4))
    [found] = json.loads(run(home, "audit", "leak", str(excerpt), "--json"))["exports"]
    assert found["recipient"] == key(home, "bank-b")[0] and found["matched"] == found["intact"] == 1
    record["tax_paid"] = 0  # altered, fingerprint kept: still attributed, no longer intact
    excerpt.write_text(json.dumps(record) + "\n" + json.dumps(document["records"][0]) + "\n")  # type: ignore[index]
    [found] = json.loads(run(home, "audit", "leak", str(excerpt), "--json"))["exports"]
    assert (found["matched"], found["intact"]) == (2, 1)


@pytest.mark.parametrize("how", ["stripped", "altered", "records listed bare"])
def test_a_file_without_its_fingerprints_is_untraceable(home: Path, how: str) -> None:
    path, document = exported(home)
    records = document["records"]
    assert isinstance(records, list)
    for r in records:
        if how == "altered":
            r["_fingerprint"] = "tok_" + "0" * 16
        else:
            del r["_fingerprint"]
    leaked = {"records": records} if how != "records listed bare" else records
    path.write_text(json.dumps(leaked))
    out = run(home, "audit", "leak", str(path), ok=False)
    assert "untraceable" in out and "leaked by" not in out


def status(home: Path, name: str) -> str:
    listed = [line for line in run(home, "participants", "list").splitlines() if key(home, name)[0] in line]
    return listed[0]


def test_an_incident_suspends_the_recipient_logs_it_lists_enterprises_and_consents_and_closes(home: Path) -> None:
    _, document = exported(home)
    excerpt = home.parent / "excerpt.jsonl"
    excerpt.write_text("".join(json.dumps(r) + "\n" for r in document["records"]))  # type: ignore[attr-defined]
    assert "ACTIVE" in status(home, "bank-b")
    out = run(home, "incident", "open", "--leak", str(excerpt), "--reason", "export found on a file share")
    ident = out.split()[1]
    assert out.startswith(f"incident {ident} opened: recipient bank-b (suspended)")
    assert "SUSPENDED" in status(home, "bank-b")
    report = json.loads((home / "incidents" / ident / "incident.json").read_text())
    [output] = [(i, e) for i, e in log_events(home) if e["action"] == "OUTPUT"]
    assert report["enterprises"] == [output[1]["subject"]] and report["consents"] == [output[1]["consent"]]
    assert report["recipients"][0]["suspended_tx"] and report["status"] == "open"
    incidents = [e for _, e in log_events(home) if e["action"] == "INCIDENT"]
    assert [(e["recipient"], e["reason"], e["request_id"]) for e in incidents] == [
        (key(home, "bank-b")[0], "export found on a file share", f"incident-{ident}")]
    assert "export found on a file share" in (home / "incidents" / ident / "incident.txt").read_text()
    run(home, "log", "verify")  # the log, INCIDENT events included, still verifies
    assert "not an active regulator" in run(home, "incident", "close", ident, "--reason", "x", "--as", "bank-a",
                                            ok=False)
    closed = run(home, "incident", "close", ident, "--reason", "recipient's copies destroyed")
    assert "closed" in closed and "reinstat" in closed and "SUSPENDED" in status(home, "bank-b")
    assert json.loads((home / "incidents" / ident / "incident.json").read_text())["status"] == "closed"
    assert [e["purpose"] for _, e in log_events(home) if e["action"] == "INCIDENT"][-1].endswith("closed")
    assert "already closed" in run(home, "incident", "close", ident, "--reason", "again", ok=False)


def test_an_untraceable_leak_opens_no_incident(home: Path) -> None:
    path, document = exported(home)
    path.write_text(json.dumps([{k: v for k, v in r.items() if k != "_fingerprint"}
                                for r in document["records"]]))  # type: ignore[attr-defined]
    out = run(home, "incident", "open", "--leak", str(path), "--reason", "found online", ok=False)
    assert "untraceable" in out and "no incident opened" in out
    assert "ACTIVE" in status(home, "bank-b") and not (home / "incidents").exists()
    assert not [e for _, e in log_events(home) if e["action"] == "INCIDENT"]


def test_a_refused_reason_or_a_non_regulator_opens_no_incident_and_suspends_no_one(home: Path) -> None:
    path, _ = exported(home)
    out = run(home, "incident", "open", "--leak", str(path), "--reason", f"leak of {key(home, 'enterprise-1')[1]}",
              ok=False)
    assert "raw identifiers never enter the log" in out
    assert "ACTIVE" in status(home, "bank-b") and not (home / "incidents").exists()
    refused = run(home, "incident", "open", "--leak", str(path), "--reason", "found", "--as", "bank-a", ok=False)
    assert "bank-a is not an active regulator" in refused
    assert "ACTIVE" in status(home, "bank-b") and not (home / "incidents").exists()
    assert not [e for _, e in log_events(home) if e["action"] == "INCIDENT"]


@pytest.mark.parametrize("content", [b"\xff\xfe{}", b"not json\n", b"[" * 100_000, b"{}", b"[]",
                                     b'{"_fingerprint": 5}'])
def test_a_malformed_leak_file_is_one_error_line(home: Path, content: bytes) -> None:
    path = home.parent / "leak.json"
    path.write_bytes(content)
    out = run(home, "audit", "leak", str(path), ok=False)
    assert ("untraceable" if content.startswith((b"{", b"[]")) else "is not JSON") in out
    assert "cannot read" in run(home, "audit", "leak", str(home.parent / "absent.json"), ok=False)
