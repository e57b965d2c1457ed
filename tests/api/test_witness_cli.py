"""`credtrace witness`: cosign only extensions; the rollback drill (issue 11) is caught by a witness
and by `log verify` / `log check` against the witness's saved note, naming both heads."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from nacl.signing import VerifyKey
from typer.testing import CliRunner

from api.cli import app
from ledger.chain import KeyStore


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "400"})
    assert (result.exit_code == 0) == ok, result.output
    return " ".join(result.output.split())


def append(home: Path, tmp_path: Path, prefix: str, numbers: range) -> None:
    path = tmp_path / f"{prefix}{numbers.start}.jsonl"
    path.write_text("\n".join(json.dumps({
        "action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{n:064x}", "assets": [f"{n:064x}"],
        "purpose": "credit-assessment", "consent": None, "request_id": f"{prefix}-{n}",
        "time": "2026-11-30T09:00:00Z"}) for n in numbers))
    run(home, "log", "append", str(path))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    run(home, "init")
    run(home, "deploy")
    append(home, tmp_path, "req", range(5))
    return home


def cosignature_verifies(note: str, name: str, public_key: bytes) -> bool:
    """c2sp.org/tlog-cosignature, from the spec text: key ID with type 0x04, u64 time, Ed25519 over
    "cosignature/v1\\ntime T\\n" and the note text."""
    text, _, lines = note.partition("\n\n")
    for line in lines.splitlines():
        _, signer, blob = line.split(" ")
        raw = base64.b64decode(blob)
        if signer == name and raw[:4] == hashlib.sha256(name.encode() + b"\n\x04" + public_key).digest()[:4]:
            timestamp = int.from_bytes(raw[4:12], "big")
            VerifyKey(public_key).verify(f"cosignature/v1\ntime {timestamp}\n{text}\n".encode(), raw[12:])
            return True
    return False


def test_a_witness_cosigns_a_growing_log_and_the_note_carries_it(home: Path, tmp_path: Path) -> None:
    state = tmp_path / "regulator-state"
    assert "cosigned size 5" in run(home, "witness", "cosign", "--as", "regulator", "--state", str(state))
    append(home, tmp_path, "req", range(5, 9))
    assert "cosigned size 9" in run(home, "witness", "cosign", "--as", "regulator", "--state", str(state))
    run(home, "witness", "cosign", "--as", "auditor")  # its state in its own default folder
    result = CliRunner().invoke(app, ["--home", str(home), "log", "checkpoint"])
    regulator = KeyStore(home / "keys").load("regulator")
    name = f"credtrace/witness/{regulator.address.lower()}"
    assert result.output.count("\n\u2014 ") == 3  # the operator's signature and two cosignatures
    assert cosignature_verifies(result.output, name, regulator.signing_public_key)
    assert "ok: 9 events" in run(home, "log", "verify", "--against", str(next(state.glob("*.checkpoint"))))


def test_the_rollback_drill_is_named_by_the_witness_and_by_verify_and_check(home: Path, tmp_path: Path) -> None:
    state = tmp_path / "regulator-state"
    run(home, "witness", "cosign", "--as", "regulator", "--state", str(state))
    backup = tmp_path / "backup"
    shutil.copytree(home, backup)  # an old copy of the operator's home: database and embedded chain
    append(home, tmp_path, "req", range(5, 8))
    run(home, "witness", "cosign", "--as", "regulator", "--state", str(state))
    shutil.rmtree(home)
    shutil.copytree(backup, home)  # the operator restores it and writes a different history
    append(home, tmp_path, "forged", range(5, 8))
    kept = str(next(state.glob("*.checkpoint")))

    refused = run(home, "witness", "cosign", "--as", "regulator", "--state", str(state), ok=False)
    assert "equivocation: two signed heads of size 8: the one cosigned before, size 8 (root" in refused
    assert "and this one, size 8 (root" in refused
    assert "equivocation: two signed heads of size 8" in run(home, "log", "verify", "--against", kept, ok=False)
    witness = tmp_path / "w.json"
    witness.write_text(CliRunner().invoke(app, ["--home", str(home), "log", "prove", "2"]).output)
    assert "equivocation: two signed heads of size 8" in run(home, "log", "check", str(witness), "--against", kept,
                                                            ok=False)


def test_a_witness_refuses_a_log_that_went_back(home: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    shutil.copytree(home, backup)
    append(home, tmp_path, "req", range(5, 9))
    run(home, "witness", "cosign", "--as", "auditor", "--state", str(tmp_path / "auditor"))
    shutil.rmtree(home)
    shutil.copytree(backup, home)
    append(home, tmp_path, "other", range(5, 7))
    refused = run(home, "witness", "cosign", "--as", "auditor", "--state", str(tmp_path / "auditor"), ok=False)
    assert "the log went back: size 7 (root" in refused and "is older than size 9 (root" in refused
    assert "the log is behind a checkpoint its operator signed: size 9" in run(
        home, "log", "verify", "--against", str(next((tmp_path / "auditor").glob("*.checkpoint"))), ok=False)


def test_the_witness_policy_counts_valid_cosignatures_by_registered_witnesses(home: Path, tmp_path: Path) -> None:
    run(home, "participants", "appoint", "auditor")  # the regulator came with genesis
    witness = tmp_path / "w.json"
    assert "has 0 valid cosignature(s) by registered witnesses; the policy needs 1" in run(
        home, "log", "verify", "--witnesses", "1", ok=False)
    run(home, "witness", "cosign", "--as", "regulator")
    assert "ok: 5 events" in run(home, "log", "verify", "--witnesses", "1")
    assert "the policy needs 2" in run(home, "log", "verify", "--witnesses", "2", ok=False)
    run(home, "witness", "cosign", "--as", "bank-a")  # cosigns, but a bank is no witness the policy counts
    run(home, "witness", "cosign", "--as", "auditor")
    witness.write_text(CliRunner().invoke(app, ["--home", str(home), "log", "prove", "3"]).output)
    assert "ok: event 3" in run(home, "log", "check", str(witness), "--witnesses", "2")
    assert "the policy needs 3" in run(home, "log", "check", str(witness), "--witnesses", "3", ok=False)
