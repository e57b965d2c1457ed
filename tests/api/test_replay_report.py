"""The replay's report logic without a chain: step 1 names each mismatch the devnet's re-execution reports (a
test-local fake of ``devnet.resync.resync(data_dir, progress) -> ResyncReport(blocks, transactions,
mismatches)``, the interface the devnet provides), a missing re-execution is a mismatch and never a pass, and
the JSON and HTML renderings."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.replay.chain import UNAVAILABLE, resynced
from api.replay.report import Report, dumps, page


@dataclass(frozen=True)
class ResyncReport:
    blocks: int
    transactions: int
    mismatches: list[str]


def fake_resync(monkeypatch: pytest.MonkeyPatch, found: ResyncReport) -> list[Any]:
    calls: list[Any] = []
    module = types.ModuleType("devnet.resync")

    def resync(data_dir: Path, progress: Any) -> ResyncReport:
        calls.append(data_dir)
        progress(1, found.blocks)
        return found

    module.resync = resync  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "devnet.resync", module)
    return calls


def test_each_block_the_devnet_cannot_re_execute_is_named_by_its_block(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    calls = fake_resync(monkeypatch, ResyncReport(40, 55, ["block 12: state root 0xab… is not the header's 0xcd…",
                                                           "the head is missing"]))
    report, ticks = Report(), []
    resynced(tmp_path, report, lambda *done: ticks.append(done))
    assert calls == [tmp_path] and ticks == [(1, 40)] and report.blocks == 40
    assert [(m.step, m.where) for m in report.mismatches] == [("chain", "block 12"), ("chain", "devnet")]
    assert not report.ok


def test_a_clean_re_execution_adds_no_mismatch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_resync(monkeypatch, ResyncReport(40, 55, []))
    report = Report()
    resynced(tmp_path, report)
    assert report.ok and report.blocks == 40


def test_no_re_execution_is_a_mismatch_not_a_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "devnet.resync", None)
    report = Report()
    resynced(tmp_path, report)
    assert not report.ok and [m.what for m in report.mismatches] == [UNAVAILABLE]


def test_json_has_exactly_the_issues_fields_and_html_escapes_what_it_names() -> None:
    report = Report(3, 10, 1)
    report.found("state", "reason_texts row <script>", "its text does not hash to its key & more")
    doc = json.loads(dumps(report))
    assert doc == {"ok": False, "blocks": 3, "events": 10, "decisions": 1, "mismatches": [
        {"step": "state", "where": "reason_texts row <script>", "what": "its text does not hash to its key & more"}]}
    shown = page(report, "credtrace replay")
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "FAIL" in shown
    assert "PASS" in page(Report(), "credtrace replay")
