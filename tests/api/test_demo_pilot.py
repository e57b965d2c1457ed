"""``credtrace demo`` (``make demo``): the pilot on its embedded default (made smaller here), its report and
the portal's commands; run again it goes on with the same pilot, never a second one; a home that holds
another world is refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app, demo_pilot


def demo(home: Path) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), "demo"], env={"CI": "true", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_runs_the_pilot_reports_it_and_prints_the_portals_commands_and_goes_on_when_run_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_pilot, "ENTERPRISES", 60)
    monkeypatch.setattr(demo_pilot, "MONTHS", 4)
    monkeypatch.setattr(demo_pilot, "BANKS", 2)
    home = tmp_path / "home"
    first = demo(home)
    assert "the credit pilot: 60 enterprises x 4 months, 2 banks, seed 7, on the embedded chain" in first
    assert "replay ok" in first and f"report: {home / 'pilot-report.html'}" in first
    assert f"credtrace --home {home} serve --port 8000" in first and "portal login --as bank-a" in first
    report = json.loads((home / "pilot-report.json").read_text())
    again = demo(home)
    assert "this home's pilot was begun before" in again and "replay ok" in again
    after = json.loads((home / "pilot-report.json").read_text())  # nothing was lent twice
    assert (after["approvalRate"], after["npl"]) == (report["approvalRate"], report["npl"])
    assert [m | {"toBlock": 0} for m in after["months"]] == [m | {"toBlock": 0} for m in report["months"]]


def test_a_home_with_another_world_is_refused_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "deployment.json").write_text("{}")
    result = CliRunner().invoke(app, ["--home", str(home), "demo"], env={"CI": "true", "COLUMNS": "200"})
    assert result.exit_code == 1 and result.output.startswith("error:") and "another world" in result.output
