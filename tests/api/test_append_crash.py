"""Crash drills for ``credtrace log append`` (issue 11): SIGKILL, or a full disk, at every stage —
parse, insert, commit, seal, sign, anchor, after the anchor — then the same command again. Each event
ends up in the log exactly once, nothing acknowledged is lost, and ``log verify`` passes. The faults
come from ``append_fault.py`` beside this file, which runs the real command in its own process."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from ledger.migrations import open_engine
from ledger.provenance import Event, LogStore

FAULT = Path(__file__).with_name("append_fault.py")
STAGES = ["parse", "insert", "commit", "seal", "sign", "anchor", "anchored"]


def run(home: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def events_file(path: Path, numbers: range) -> Path:
    lines = [json.dumps({"action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{n:064x}",
                         "assets": [f"{n:064x}"], "purpose": "credit-assessment", "consent": None,
                         "request_id": f"req-{n}", "time": "2026-11-30T09:00:00Z"}) for n in numbers]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with contracts deployed and five events anchored, copied for each drill."""
    home = tmp_path_factory.mktemp("template") / "home"
    run(home, "init")
    run(home, "deploy")
    run(home, "log", "append", str(events_file(home.parent / "first.jsonl", range(5))))
    return home


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["kill", "full"])
@pytest.mark.parametrize("stage", STAGES)
def test_a_fault_at_any_stage_then_a_retry_leaves_each_event_once(
        template: Path, tmp_path: Path, stage: str, mode: str) -> None:
    home = tmp_path / "home"
    shutil.copytree(template, home)
    batch = events_file(tmp_path / "batch.jsonl", range(100, 107))
    crashed = subprocess.run([sys.executable, str(FAULT), stage, mode, "--home", str(home), "log", "append",
                              str(batch)], capture_output=True, text=True, timeout=300)
    if mode == "kill":
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    else:
        assert crashed.returncode == 1 and "Traceback" not in crashed.stderr, crashed.stderr
        assert "error: the store or the disk failed: database or disk is full" in " ".join(crashed.stderr.split())

    retried = run(home, "log", "append", str(batch))
    assert "appended 7 events (indices 5…11)" in retried or "already appended as events 5…11" in retried
    assert "nothing added" in run(home, "log", "append", str(batch))  # and again: still nothing twice
    store = LogStore(open_engine(Settings.build(home, None).db_url))
    bodies = [body for _, _, body in store.leaves(0, store.size())]
    assert store.size() == 12
    appended = sorted(Event.from_json(json.loads(b)).request_id for b in bodies[5:])
    assert appended == [f"req-{n}" for n in range(100, 107)]
    store.engine.dispose()
    assert "ok: 12 events" in run(home, "log", "verify")
