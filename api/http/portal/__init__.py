"""The financing service portal (融资大数据服务系统门户; seeds R2's matching window 银企对接窗口):
server-rendered pages (Jinja2, autoescaped; no JavaScript, charts as SVG drawn on the server) in
Simplified Chinese with an English switch, one set of pages per role. Layout::

    challenge.py   what signing in signs (shared with ``credtrace portal login``)
    sessions.py    challenges and sessions, in memory with their expiry
    login.py       the challenge, the one-time login link, signing out
    web.py         templates, the page context, the session and CSRF dependencies, refusal pages
    i18n.py        the language and its message catalogue (messages/zh-CN.json, messages/en.json)
    views.py       what the pages read, through the commands' own functions (api.actions …)
    figures.py     yuan, percentages, the charts' and the lineage graph's data
    charts.py      bar charts as SVG geometry
    pages.py       the pages per role
    templates/     the Jinja2 templates

Its routes stay out of the OpenAPI document (``include_in_schema=False``): they answer HTML."""

from __future__ import annotations

from fastapi import FastAPI

from api.http.portal import login, pages, web
from api.http.portal.sessions import Store


def install(app: FastAPI) -> None:
    """The portal's routes, its refusal pages and its session store on ``app``."""
    app.state.portal = Store()
    web.install(app)
    app.include_router(login.router)
    app.include_router(pages.router)
