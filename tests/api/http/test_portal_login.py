"""The portal's sign-in and CSRF rules over plain HTTP (httpx) against a real server: a signed challenge
opens a session (HttpOnly, SameSite=Lax cookie); a reused, forged, malformed or never-issued token is
refused, as is a suspended participant; a form post without the session's CSRF token does nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from portal_world import login_link, portal_server

from api.http.portal import challenge
from ledger.chain import KeyStore
from ledger.types import Role


@pytest.fixture(scope="module")
def portal(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with portal_server(http_base, tmp_path_factory.mktemp("portal")) as found:
        yield found


@contextmanager
def signed_in(url: str, home: Path, who: str) -> Iterator[httpx.Client]:
    """A client holding ``who``'s session cookie, as a browser would after opening the login link."""
    with httpx.Client(base_url=url) as client:
        answer = client.get(login_link(home, url, who).removeprefix(url))
        assert answer.status_code == 303 and answer.headers["location"] == "/portal"
        yield client


def test_a_signed_challenge_opens_a_session_in_an_httponly_samesite_cookie(portal: tuple[str, Path]) -> None:
    url, home = portal
    answer = httpx.get(login_link(home, url, "bank-a"))
    cookie = answer.headers["set-cookie"].lower()
    assert answer.status_code == 303
    assert "credtrace_portal=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/portal" in cookie and "max-age=" in cookie
    with httpx.Client(base_url=url, cookies=answer.cookies) as browser:
        assert browser.get("/portal").headers["location"] == "/portal/bank"
        page = browser.get("/portal/bank").text
    assert "银企对接窗口" in page and 'href="/portal/bank/applications/1"' in page


def test_a_visitor_without_a_session_is_sent_to_the_login_page_with_a_challenge(portal: tuple[str, Path]) -> None:
    url, _ = portal
    assert httpx.get(f"{url}/portal/bank").headers["location"] == "/portal/login"
    page = httpx.get(f"{url}/portal/login").text
    assert "credtrace portal login --as bank-a" in page and "--challenge " in page


def test_a_login_link_works_once(portal: tuple[str, Path]) -> None:
    url, home = portal
    link = login_link(home, url, "bank-a")
    assert httpx.get(link).status_code == 303
    again = httpx.get(link)
    assert again.status_code == 401 and "set-cookie" not in again.headers
    assert "挑战已过期、已被使用或并非本服务器签发" in again.text


def test_a_challenge_the_server_never_issued_is_refused(portal: tuple[str, Path]) -> None:
    url, home = portal
    bank = KeyStore(home / "keys").load("bank-a")
    made_up = challenge.token(challenge.answer("not-issued-by-the-server", bank.address, bank.signing_key))
    answer = httpx.get(f"{url}{challenge.LINK}{made_up}&lang=en")
    assert answer.status_code == 401 and "expired, was used already or was not issued" in answer.text


def test_a_token_signed_with_another_key_is_refused(portal: tuple[str, Path], tmp_path: Path) -> None:
    url, home = portal
    bank = KeyStore(home / "keys").load("bank-a")
    stranger = KeyStore(tmp_path / "keys").create("stranger", Role.BANK, "Nobody Bank")
    issued = httpx.post(f"{url}/portal/challenge").json()["challenge"]
    forged = challenge.token(challenge.answer(issued, bank.address, stranger.signing_key))  # claims bank-a
    answer = httpx.get(f"{url}{challenge.LINK}{forged}")
    assert answer.status_code == 401 and "签名与注册合约中该账户的密钥不符" in answer.text
    assert "set-cookie" not in answer.headers


def test_a_token_for_an_account_that_is_not_registered_is_refused(portal: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = portal
    stranger = KeyStore(tmp_path / "keys").create("stranger", Role.BANK, "Nobody Bank")
    issued = httpx.post(f"{url}/portal/challenge").json()["challenge"]
    token = challenge.token(challenge.answer(issued, stranger.address, stranger.signing_key))
    answer = httpx.get(f"{url}{challenge.LINK}{token}&lang=en")
    assert answer.status_code == 401 and "not a registered participant" in answer.text


def test_a_token_that_is_not_a_signed_challenge_is_refused(portal: tuple[str, Path]) -> None:
    url, _ = portal
    garbage = base64.urlsafe_b64encode(json.dumps({"c": "x"}).encode()).decode()
    for token in ("not-base64!", garbage):
        answer = httpx.get(f"{url}{challenge.LINK}{token}&lang=en")
        assert answer.status_code == 400 and "not a signed challenge" in answer.text


def test_a_post_without_the_csrf_token_is_refused_and_does_nothing(portal: tuple[str, Path]) -> None:
    url, home = portal
    with signed_in(url, home, "bank-a") as browser:
        for form in ({}, {"csrf": "wrong"}):
            refused = browser.post("/portal/bank/applications/1/verify", data=form)
            assert refused.status_code == 403 and "CSRF" in refused.text and 'id="checks"' not in refused.text
            assert browser.post("/portal/logout", data=form).status_code == 403
        assert browser.get("/portal/bank").status_code == 200  # the refused logout did not sign out
        csrf = _csrf(browser.get("/portal/bank/applications/1").text)
        verified = browser.post("/portal/bank/applications/1/verify", data={"csrf": csrf})
    assert verified.status_code == 200 and 'data-ok="false"' not in verified.text
    assert verified.text.count('data-ok="true"') == 9
    assert 'id="lang-switch" href="/portal/bank/applications/1?lang=en"' in verified.text  # a GET of the page


def test_signing_out_ends_the_session(portal: tuple[str, Path]) -> None:
    url, home = portal
    with signed_in(url, home, "bank-a") as browser:
        csrf = _csrf(browser.get("/portal/bank").text)
        assert browser.post("/portal/logout", data={"csrf": csrf}).headers["location"] == "/portal/login?out=1"
        assert browser.get("/portal/bank").headers["location"] == "/portal/login"


def test_each_role_sees_its_own_pages_only(portal: tuple[str, Path]) -> None:
    url, home = portal
    with signed_in(url, home, "bank-b") as other_bank:
        assert other_bank.get("/portal/bank/applications/1").status_code == 403
        assert other_bank.get("/portal/regulator").status_code == 403
    with signed_in(url, home, "enterprise-1") as enterprise:
        assert enterprise.get("/portal").headers["location"] == "/portal/enterprise"
        page = enterprise.get("/portal/enterprise").text
        assert enterprise.get("/portal/bank").status_code == 403
    assert "credit-assessment" in page and "oracle" in page  # who used its data, and why
    with signed_in(url, home, "auditor") as auditor:
        trace = auditor.get("/portal/auditor", params={"kind": "application", "value": "1"}).text
    assert 'data-status="verified"' in trace and 'data-status="failed"' not in trace and "<circle" in trace
    assert 'id="lang-switch" href="/portal/auditor?kind=application&amp;value=1&amp;lang=en"' in trace


def test_a_suspended_participant_cannot_sign_in_and_loses_its_session(portal: tuple[str, Path]) -> None:
    from oracle_world import run

    url, home = portal
    with signed_in(url, home, "bank-b") as browser:
        link = login_link(home, url, "bank-b")
        run(home, "participants", "suspend", "bank-b", "--reason", "LATE_REPORTING")
        assert browser.get("/portal/bank").status_code == 403
        assert browser.get("/portal/bank").headers["location"] == "/portal/login"
    refused = httpx.get(link)
    assert refused.status_code == 403 and "已被暂停或已退出" in refused.text


def test_the_regulator_sees_a_sanction_and_every_role_page_renders_in_english(portal: tuple[str, Path]) -> None:
    from oracle_world import run

    url, home = portal
    code = KeyStore(home / "keys").load("enterprise-1").credit_code
    assert code is not None
    run(home, "sanctions", "add", code, "--reason", "FALSE_DATA")
    with signed_in(url, home, "regulator") as regulator:
        listed = regulator.get("/portal/regulator").text
        english = regulator.get("/portal/regulator", params={"lang": "en"}).text
    assert "列入名单" in listed and "FALSE_DATA" in listed and code not in listed  # the pseudonym, never the code
    assert "Sanctions list" in english and "sanctioned" in english and "运营台账" not in english
    assert english.count('class="chart"') == 9
    with signed_in(url, home, "enterprise-1") as enterprise:
        mine = enterprise.get("/portal/enterprise", params={"lang": "en"}).text
    assert "Who used my data" in mine and "谁使用了我的数据" not in mine
    with signed_in(url, home, "auditor") as auditor:
        traced = auditor.get("/portal/auditor", params={"kind": "dataset", "value": "tax", "lang": "en"}).text
    assert "Lineage graph" in traced and "verified" in traced and "血缘图" not in traced


def test_the_portal_is_not_in_the_openapi_document(portal: tuple[str, Path]) -> None:
    url, _ = portal
    paths = httpx.get(f"{url}/openapi.json").json()["paths"]
    assert paths and not [p for p in paths if p.startswith("/portal")]


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
