"""The portal in a real browser: headless Chromium (Debian's ``chromium`` package, ``make chromium``)
driven by Playwright's Python package with ``executable_path`` (never a downloaded browser), against a
real ``credtrace serve``. Each test writes its screenshots under its own tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from portal_world import login_link, portal_server


@pytest.fixture(scope="module")
def portal(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with portal_server(http_base, tmp_path_factory.mktemp("portal")) as found:
        yield found


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def signed_in(page: Page, portal: tuple[str, Path], who: str) -> None:
    url, home = portal
    page.goto(login_link(home, url, who))


def test_a_bank_signs_in_opens_an_application_sees_its_reasons_and_verifies_the_record(
        page: Page, portal: tuple[str, Path], tmp_path: Path) -> None:
    signed_in(page, portal, "bank-a")
    expect(page).to_have_url(f"{portal[0]}/portal/bank")
    expect(page.locator("h2")).to_have_text("银企对接窗口")
    page.locator("a.application").first.click()
    expect(page.locator("#outcome")).to_have_attribute("data-decision", "APPROVE")
    expect(page.locator("#outcome")).to_have_text("批准")
    reasons = page.locator("tr.reason")
    expect(reasons.first).to_be_visible()
    assert reasons.first.locator("td").first.inner_text().strip()  # a reason code, with its text beside it
    page.screenshot(path=tmp_path / "application.png", full_page=True)
    page.locator("#verify").click()
    checks = page.locator("tr.check")
    expect(checks).to_have_count(9)
    assert {checks.nth(i).get_attribute("data-ok") for i in range(9)} == {"true"}
    assert checks.first.get_attribute("data-check") == "envelope"
    assert checks.last.get_attribute("data-check") == "record-hash"
    expect(page.locator("#verdict")).to_have_class("verdict ok")
    page.screenshot(path=tmp_path / "verified.png", full_page=True)
    assert (tmp_path / "verified.png").stat().st_size > 10_000


def test_the_regulators_operating_ledger_renders_its_charts_with_data(
        page: Page, portal: tuple[str, Path], tmp_path: Path) -> None:
    signed_in(page, portal, "regulator")
    expect(page).to_have_url(f"{portal[0]}/portal/regulator")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(9)
    lending = page.locator('svg[data-chart="lending"] rect.bar')
    assert [float(v) for v in lending.evaluate_all("bars => bars.map(b => b.dataset.value)")] == [30_000_000.0] * 2
    assert all(box is not None and box["width"] > 100 for box in (b.bounding_box() for b in lending.all()))
    expect(page.locator('svg[data-chart="districts"] text.label')).to_have_text(["区 500103"])
    expect(page.locator('svg[data-chart="pools"] rect.bar')).to_have_count(2)
    expect(page.locator("#departments tr")).to_have_count(4)  # a heading and three departments
    expect(page.locator("#models tr")).to_have_count(2)
    page.screenshot(path=tmp_path / "ledger.png", full_page=True)
    assert (tmp_path / "ledger.png").stat().st_size > 10_000


def test_the_language_switch_turns_every_page_to_english_and_back(page: Page, portal: tuple[str, Path],
                                                                 tmp_path: Path) -> None:
    signed_in(page, portal, "bank-a")
    expect(page.locator("header h1")).to_have_text("融资大数据服务系统门户")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.locator("#lang-switch").click()
    expect(page.locator("header h1")).to_have_text("Financing Big-Data Service Portal")
    expect(page.locator("h2")).to_have_text("Bank\u2013Enterprise Matching Window")
    page.locator("a.application").first.click()  # remembered on the next page (a cookie)
    expect(page.locator("#outcome")).to_have_text("Approved")
    assert "批准" not in page.locator("main").inner_text()
    page.screenshot(path=tmp_path / "english.png", full_page=True)
    page.locator("#lang-switch").click()
    expect(page.locator("#outcome")).to_have_text("批准")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_a_form_sent_without_its_csrf_token_is_refused(page: Page, portal: tuple[str, Path], tmp_path: Path) -> None:
    signed_in(page, portal, "bank-a")
    page.locator("a.application").first.click()
    page.locator('form[action$="/verify"] input[name="csrf"]').evaluate("field => field.remove()")
    page.locator("#verify").click()
    expect(page.locator("#refused")).to_contain_text("CSRF")
    expect(page.locator("tr.check")).to_have_count(0)
    page.screenshot(path=tmp_path / "csrf.png")


def test_a_login_link_opened_twice_or_forged_is_refused(page: Page, portal: tuple[str, Path], tmp_path: Path) -> None:
    url, home = portal
    link = login_link(home, url, "bank-a")
    page.goto(link)
    expect(page).to_have_url(f"{url}/portal/bank")
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("#why")).to_contain_text("已被使用")
    forged = login_link(home, url, "bank-a")[:-6] + "AAAAAA"
    page.goto(forged)
    expect(page.locator("#refused")).to_be_visible()
    page.goto(f"{url}/portal/bank")
    expect(page).to_have_url(f"{url}/portal/login")
    page.screenshot(path=tmp_path / "refused.png")


def test_the_auditors_lineage_graph_shows_each_events_proof(page: Page, portal: tuple[str, Path],
                                                             tmp_path: Path) -> None:
    signed_in(page, portal, "auditor")
    expect(page).to_have_url(f"{portal[0]}/portal/auditor")
    page.locator('input[name="value"]').fill("1")
    page.locator("#trace").click()
    nodes = page.locator("svg.lineage g.node")
    expect(nodes.first).to_be_visible()
    statuses = nodes.evaluate_all("nodes => nodes.map(n => n.dataset.status)")
    assert "verified" in statuses and "chain" in statuses and "failed" not in statuses
    expect(page.locator("svg.lineage line")).to_have_count(1)  # the decision joined to the access it cites
    expect(page.locator("#timeline tr.entry")).to_have_count(len(statuses))
    page.screenshot(path=tmp_path / "lineage.png", full_page=True)
