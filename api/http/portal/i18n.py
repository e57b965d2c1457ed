"""The portal's languages: Simplified Chinese by default, English on request. Every visible string is a
key in one message catalogue per language (``messages/zh-CN.json``, ``messages/en.json``), so a page is
wholly in one language; data (ids, hashes, names, a refusal's detail from the platform) are shown as is.

The language is ``?lang=`` when given (and then remembered in a cookie), else the cookie, else zh-CN."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from starlette.requests import Request

LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"
COOKIE = "lang"
FOLDER = Path(__file__).parent / "messages"
Translate = Callable[..., str]


@cache
def catalogue(language: str) -> dict[str, str]:
    found: dict[str, str] = json.loads((FOLDER / f"{language}.json").read_text(encoding="utf-8"))
    return found


def chosen(request: Request) -> str:
    for given in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if given in LANGUAGES:
            return str(given)
    return DEFAULT


def translator(language: str) -> Translate:
    """``t(key, **values)``: the key's message in ``language``, its ``{names}`` filled; a missing key is
    a KeyError (the tests render every page in both languages)."""
    messages = catalogue(language)

    def t(key: str, **values: object) -> str:
        return messages[key].format(**values) if values else messages[key]

    return t


def other(language: str) -> str:
    return LANGUAGES[1 - LANGUAGES.index(language)]
