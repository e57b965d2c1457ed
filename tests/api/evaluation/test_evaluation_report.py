"""``api.evaluation.report.write`` and the ``pilot report`` command function: FILE.html and FILE.json beside it,
both whole, the JSON the evaluation's own; refusals (no folder, not an .html name, nothing deployed) are one
``error:`` line and write nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from api import ApiError
from api.cli.context import State
from api.cli.pilot_report import report
from api.evaluation.report import json_path, write
from api.node import opened
from api.settings import Settings
from ledger.migrations import open_engine


def app() -> typer.Typer:
    """A stand-in for the ``pilot`` group the driver's command module registers ``report`` in."""
    found = typer.Typer()

    @found.callback()
    def root(ctx: typer.Context, home: Annotated[Path, typer.Option()]) -> None:
        ctx.obj = State(home)

    found.command("report")(report)
    return found


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app(), ["--home", str(home), "report", *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output
    if not ok:
        assert result.exit_code == 1 and result.output.count("error:") == 1, result.output
    return result.output


def test_write_puts_the_page_and_the_json_beside_it(journaled_home: Path, tmp_path: Path) -> None:
    settings = Settings.build(journaled_home, None)
    engine = open_engine(settings.db_url)
    with opened(settings) as chain:
        found = write(settings, chain, engine, tmp_path / "evaluation.html")
    engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evaluation.html", "evaluation.json"]
    assert json.loads((tmp_path / "evaluation.json").read_text()) == json.loads(json.dumps(found.to_json()))
    page = (tmp_path / "evaluation.html").read_text()
    assert page.startswith("<!doctype html>") and "试点绩效评价报告" in page and "Pilot performance evaluation" in page
    assert page.count("<svg") >= 10 and "2024-02" in page
    assert (tmp_path / "evaluation.html").stat().st_mode & 0o077 == 0


def test_the_command_prints_a_summary_and_writes_both_files(demo_home: Path, tmp_path: Path) -> None:
    out = run(demo_home, "--report", str(tmp_path / "r.html"))
    assert "4 applications, 3 approved (75.00%)" in out and "wrote" in out
    assert json.loads(json_path(tmp_path / "r.html").read_text())["periods"] == ["all"]


def test_refusals_are_one_line_and_write_nothing(demo_home: Path, tmp_path: Path) -> None:
    assert "no folder" in run(demo_home, "--report", str(tmp_path / "missing" / "r.html"), ok=False)
    assert ".html file" in run(demo_home, "--report", str(tmp_path / "r.txt"), ok=False)
    assert "deploy" in run(tmp_path / "empty-home", "--report", str(tmp_path / "r.html"), ok=False)
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.json").exists()


def test_write_refuses_before_reading_anything(tmp_path: Path) -> None:
    settings = Settings.build(tmp_path, None)
    with pytest.raises(ApiError, match="no folder"):
        write(settings, None, None, tmp_path / "nowhere" / "r.html")  # type: ignore[arg-type]


def test_a_platform_just_deployed_has_a_report_of_zeros_and_nulls(tmp_path: Path) -> None:
    from api.cli import app as credtrace

    home = tmp_path / "home"
    for step in ("init", "deploy"):
        assert CliRunner().invoke(credtrace, ["--home", str(home), step]).exit_code == 0
    out = run(home, "--report", str(tmp_path / "r.html"))
    assert "0 applications" in out and "p50 —" in out
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["ledger"]["totals"]["applications"] == 0 and doc["approvalRate"] == {"fraction": None, "bps": None}
    assert doc["npl"]["within"] is None and doc["latencySeconds"]["p50"] is None
    assert doc["model"]["all"]["auc"] is None and doc["dataUse"] == [] and doc["totals"]["blocks"] > 1
    assert "无数据 nothing to draw" in (tmp_path / "r.html").read_text()
