"""`credtrace log`: append (all or nothing), prove, check a witness, verify — on the embedded devnet."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app, event_file
from ledger.migrations import open_engine
from ledger.provenance import LogStore
from ledger.provenance.checkpoint import key_id, open_note
from ledger.provenance.proof import ConsistencyProof


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def line(n: int, **changes: object) -> str:
    event = {"action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{n:064x}", "assets": [f"{n:064x}"],
             "purpose": "credit-assessment", "consent": None, "request_id": f"req-{n}",
             "time": "2026-11-24T15:20:00+08:00", **changes}
    return json.dumps(event)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    run(home, "init")
    run(home, "deploy")
    return home


def test_append_prove_check_verify(home: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(line(i) for i in range(10)) + "\n")
    out = run(home, "log", "append", str(events))
    assert "appended 10 events (indices 0…9); tree size 10" in out and "anchored in 0x" in out
    events.write_text("\n".join(line(i) for i in range(10, 13)))
    assert "tree size 13" in run(home, "log", "append", str(events))

    witness = json.loads(run(home, "log", "prove", "4"))
    assert witness["event"]["request_id"] == "req-4" and witness["inclusion"]["tree_size"] == 13
    path = tmp_path / "witness.json"
    path.write_text(json.dumps(witness))
    assert "ok: event 4 is in the tree of size 13 anchored on chain" in run(home, "log", "check", str(path))
    witness["event"]["purpose"] = "marketing"
    path.write_text(json.dumps(witness))
    assert "leaf_hash is not the hash of the event" in run(home, "log", "check", str(path), ok=False)

    lines = run(home, "log", "prove", "0", "12", "5", witness["leaf_hash"]).splitlines()
    batch = [json.loads(text) for text in lines]  # JSON Lines: one witness per line, one checkpoint
    assert [w["event_id"] for w in batch] == [0, 12, 5, 4] and batch[3]["inclusion"] == witness["inclusion"]
    assert len({w["checkpoint"] for w in batch}) == 1 and batch[0]["checkpoint"].split("\n")[1] == "13"
    path.write_text("\n".join(lines) + "\n")
    assert run(home, "log", "check", str(path)).count("anchored on chain") == 4
    batch[2]["event"]["purpose"] = "marketing"
    path.write_text("\n".join(json.dumps(w) for w in batch))
    assert f"{path}:3: leaf_hash is not the hash of the event" in " ".join(
        run(home, "log", "check", str(path), ok=False).split())
    assert "no event 13: the log has 13 events" in run(home, "log", "prove", "1", "13", ok=False)

    assert "ok: 13 events, 2 checkpoints (2 anchored on chain), 0 not yet sealed" in run(home, "log", "verify")


def test_a_file_with_bad_lines_appends_nothing(home: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    bad = [line(0), "{not json", line(2, subject="91500000MA5U7C4X3N"), line(3), line(4, time="noon")]
    events.write_text("\n".join(bad))
    out = run(home, "log", "append", str(events), ok=False)
    assert "3 malformed line(s); nothing was appended" in out
    assert "line 2:" in out and "line 3: subject must be an enterprise pseudonym" in out and "line 5:" in out
    events.write_text(line(0))
    assert "appended 1 events (indices 0…0)" in run(home, "log", "append", str(events))


def test_a_bad_line_after_chunks_were_stored_and_sealed_rolls_them_all_back(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating and storing overlap: the chunks before the bad line were written in the transaction."""
    monkeypatch.setattr(event_file, "CHUNK", 3)
    monkeypatch.setattr(event_file, "BLOCK", 400)
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([*(line(n) for n in range(10)), line(10, purpose="call 13912345678")]))
    assert "line 11: purpose carries a mobile number" in run(home, "log", "append", str(events), ok=False)
    store = LogStore(open_engine(f"sqlite:///{home / 'credtrace.sqlite'}"))
    assert (store.size(), store.checkpoints()) == (0, [])
    store.engine.dispose()
    events.write_text("\n".join(line(n) for n in range(10)))
    assert "appended 10 events (indices 0…9); tree size 10" in run(home, "log", "append", str(events))
    assert "ok: 10 events" in run(home, "log", "verify")


def test_verify_names_the_edited_event(home: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(line(i) for i in range(6)))
    run(home, "log", "append", str(events))
    engine = sa.create_engine(f"sqlite:///{home / 'credtrace.sqlite'}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER log_events_update_guard"))
        conn.execute(sa.text("UPDATE log_events SET body = replace(body, 'req-2', 'req-9') WHERE idx = 2"))
    engine.dispose()
    assert "error: event 2: its body does not hash to its stored leaf" in run(home, "log", "verify", ok=False)


def test_checkpoint_note_verifier_key_and_consistency_proof(home: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    assert "no checkpoint is anchored yet" in run(home, "log", "checkpoint", ok=False)
    notes = []
    for start in (0, 6):
        events.write_text("\n".join(line(i) for i in range(start, start + 6)))
        run(home, "log", "append", str(events))
        notes.append(run(home, "log", "checkpoint"))
    vkey = run(home, "log", "checkpoint", "--vkey").strip()
    name, key_hash, key = vkey.split("+", 2)
    assert key_hash == key_id(name, base64.b64decode(key)[1:]).hex()
    old, new = (open_note(note, name, base64.b64decode(key)[1:]) for note in notes)
    assert (old.tree_size, new.tree_size) == (6, 12) and new.origin == name
    proof = ConsistencyProof.from_json(json.loads(run(home, "log", "consistency", "6", "12")))
    proof.verify(old.root, new.root)
    assert "sizes must satisfy 0 <= OLD <= NEW <= 12" in run(home, "log", "consistency", "6", "13", ok=False)


@pytest.mark.parametrize("damage", ["deleted", "restored from an older copy", "truncated"])
def test_a_missing_old_or_corrupt_store_is_refused_before_anything_is_written(
        home: Path, tmp_path: Path, damage: str) -> None:
    database = home / "credtrace.sqlite"
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(line(i) for i in range(4)))
    run(home, "log", "append", str(events))
    older = database.read_bytes()
    events.write_text("\n".join(line(i) for i in range(4, 8)))
    run(home, "log", "append", str(events))
    for leftover in home.glob("credtrace.sqlite*"):
        leftover.unlink()
    if damage == "restored from an older copy":
        database.write_bytes(older)
    if damage == "truncated":
        database.write_bytes(older[: len(older) // 2])
    events.write_text("\n".join(line(i) for i in range(100, 103)))
    out = " ".join(run(home, "log", "append", str(events), ok=False).split())
    if damage == "truncated":
        assert "error: the store or the disk failed: database disk image is malformed" in out
    else:
        assert "error: the store is behind the chain: the chain anchored a tree of 8 events" in out
        assert "Nothing was written: restore the newest backup of the database" in out
        store = LogStore(open_engine(f"sqlite:///{database}"))
        assert store.size() == (4 if damage != "deleted" else 0)
        store.engine.dispose()
    assert "Traceback" not in out


def test_a_lone_surrogate_or_non_utf8_line_is_named(home: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(line(0) + "\n" + line(1, purpose="\ud800") + "\n")  # json.dumps writes the escape
    assert "line 2: not JSON: no low surrogate in string" in run(home, "log", "append", str(events), ok=False)
    events.write_bytes(line(0).encode() + b"\n" + b'{"purpose": "\xff"}\n')
    assert "line 2: not UTF-8 (byte 13 of the line)" in run(home, "log", "append", str(events), ok=False)


def test_append_is_idempotent_on_every_store(home: Path, tmp_path: Path, db_url: str) -> None:
    """Chunk keys are the file's hash and '#n': they must fit the key column on PostgreSQL too."""
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(line(i) for i in range(3)))
    assert "appended 3 events (indices 0…2)" in run(home, "log", "append", str(events), "--db", db_url)
    assert "already appended as events 0…2" in run(home, "log", "append", str(events), "--db", db_url)
    assert "--key must be 1 to 128 characters" in run(home, "log", "append", str(events), "--key", "k" * 129, ok=False)
