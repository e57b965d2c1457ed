"""The evaluation page in a real browser: headless Chromium (Debian's ``chromium`` package, driven by
Playwright with ``executable_path``, never a downloaded browser), opened from the file ``write`` made. It
renders, every chart is there as SVG with its bars or points, and the console stays free of errors.
Screenshots go under each test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.evaluation.evaluation import Evaluation
from api.evaluation.report import write
from api.node import opened
from api.settings import Settings
from ledger.migrations import open_engine

CHARTS = ("banks", "districts", "lending", "npl-months", "npl", "pools", "pools-months", "latency", "departments",
          "departments-months", "model", "roles")


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    opened_page = context.new_page()
    problems: list[str] = []
    opened_page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    opened_page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield opened_page, problems
    context.close()


def written(home: Path, out: Path) -> Evaluation:
    settings = Settings.build(home, None)
    engine = open_engine(settings.db_url)
    with opened(settings) as chain:
        found = write(settings, chain, engine, out)
    engine.dispose()
    return found


def test_the_monthly_report_renders_with_every_chart_and_no_console_error(
        page: tuple[Page, list[str]], journaled_home: Path, tmp_path: Path) -> None:
    found = written(journaled_home, tmp_path / "evaluation.html")
    tab, problems = page
    tab.goto((tmp_path / "evaluation.html").as_uri())
    expect(tab.locator("h1")).to_contain_text("试点绩效评价报告")
    expect(tab.locator("#loans")).to_have_text(f"{found.ledger.book.loans:,}")
    expect(tab.locator("#approval-rate")).to_have_text("75.00%")
    for key in CHARTS:
        chart = tab.locator(f'svg.chart[data-chart="{key}"]')
        expect(chart).to_be_visible()
        assert chart.locator("rect.bar, circle").count() > 0, key
    assert tab.locator('svg[data-chart="lending"] g.line').first.locator("circle").count() == 3  # setup + 2 months
    disbursed = tab.locator('svg[data-chart="banks"] rect.bar').first.get_attribute("data-value")
    assert float(disbursed or "nan") == found.ledger.banks[0].book.disbursed
    tab.screenshot(path=tmp_path / "evaluation.png", full_page=True)
    assert problems == []


def test_the_report_of_a_home_without_a_journal_renders_one_period(
        page: tuple[Page, list[str]], demo_home: Path, tmp_path: Path) -> None:
    written(demo_home, tmp_path / "all.html")
    tab, problems = page
    tab.goto((tmp_path / "all.html").as_uri())
    expect(tab.locator("#by-month tr")).to_have_count(2)  # the heading and "all"
    assert tab.locator("svg.chart").count() == len(CHARTS)
    tab.screenshot(path=tmp_path / "all.png", full_page=True)
    assert problems == []
