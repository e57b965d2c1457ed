"""The portal's pure parts: challenges and sessions expire and are taken once, the two message
catalogues have the same keys and every key a template names exists, charts are proportional."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from api import ApiError
from api.http.portal import challenge, charts, i18n
from api.http.portal.sessions import CHALLENGE_TTL, SESSION_TTL, Store
from ledger.types import Address

TEMPLATES = Path(i18n.__file__).parent / "templates"
ACCOUNT = Address("0xB08526d4EC30Daf430502411a2f517FFa76c2E13")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_challenge_is_taken_once_and_not_after_it_expires() -> None:
    clock = Clock()
    store = Store(clock)
    first, second = store.challenge(), store.challenge()
    assert store.take(first) and not store.take(first)
    clock.now += CHALLENGE_TTL + 1
    assert not store.take(second)
    assert not store.take("never-issued")


def test_a_session_expires_and_closes() -> None:
    clock = Clock()
    store = Store(clock)
    session = store.open(ACCOUNT, "bank-a")
    assert store.get(session.id) == session and session.csrf != session.id
    clock.now += SESSION_TTL + 1
    assert store.get(session.id) is None
    again = store.open(ACCOUNT, "bank-a")
    store.close(again.id)
    assert store.get(again.id) is None


def test_the_token_carries_a_signature_over_the_challenge_and_the_account() -> None:
    key = SigningKey.generate()
    found = challenge.parsed(challenge.token(challenge.answer("abc", ACCOUNT, key)))
    key.verify_key.verify(challenge.message("abc", ACCOUNT), found.signature)
    assert found.challenge == "abc" and found.account == ACCOUNT
    with pytest.raises(ApiError):
        challenge.parsed("e30")  # {}


def test_both_languages_have_every_key_and_the_templates_name_only_known_keys() -> None:
    zh, en = i18n.catalogue("zh-CN"), i18n.catalogue("en")
    assert set(zh) == set(en)
    named = {k for f in TEMPLATES.glob("*.html") for k in re.findall(r'\bt\(["\'](\w[\w.]*\w)["\'][,)]', f.read_text())}
    assert named and named <= set(zh)
    assert not [k for k, v in zh.items() if k != "lang.other" and re.fullmatch(r"[ -~]+", v) and v not in en.values()]


def test_bars_are_proportional_to_the_largest_value() -> None:
    chart = charts.bars("k", "title", [("a", [(10.0, "10")]), ("b", [(5.0, "5"), (0.0, "0")])])
    widths = [b.width for b in chart.bars]
    assert widths[0] == charts.WIDTH - charts.LABEL - charts.VALUE and widths[1] * 2 == widths[0] and widths[2] == 0
    assert [b.series for b in chart.bars] == [0, 0, 1]
    assert all(b.width == 0 for b in charts.bars("k", "t", [("a", [(0.0, "0")])]).bars)


def test_the_challenges_kept_are_bounded_the_oldest_dropped_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.http.portal import sessions

    monkeypatch.setattr(sessions, "LIVE_CHALLENGES", 3)
    store = Store(Clock())
    first, *rest = [store.challenge() for _ in range(4)]
    assert not store.take(first) and all(store.take(c) for c in rest)
