"""The portal's plumbing: its Jinja2 environment (autoescaped), the page context (language, session,
CSRF token), the signed-in session as a dependency, the CSRF check, and refusals as pages.

A refusal is :class:`Refused` (a status and a catalogue key); :func:`install` renders it as a page in
the visitor's language. A visitor who is not signed in is sent to ``/portal/login``."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from api.http.portal import i18n
from api.http.portal.sessions import Session, Store
from api.http.service import Service, service
from ledger.types import Role, Status

COOKIE = "credtrace_portal"
TEMPLATES = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True))


class Refused(Exception):
    """A page refused: ``key`` names the message, ``detail`` is the platform's own words (data)."""

    def __init__(self, status: int, key: str, detail: str = "", **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.detail, self.values = status, key, detail, values


class NotSignedIn(Exception):
    pass


def store(request: Request) -> Store:
    found: Store = request.app.state.portal
    return found


def render(request: Request, template: str, code: int = 200, session: Session | None = None,
           here: str | None = None, **context: Any) -> Response:
    """``template`` in the visitor's language; ``here`` is the page the language switch reloads (a form
    post's answer names the page it was posted from)."""
    language = i18n.chosen(request)
    page = TEMPLATES.TemplateResponse(request, template, status_code=code, context={
        "t": i18n.translator(language), "known": i18n.catalogue(language), "lang": language,
        "other": i18n.other(language), "session": session, "role": _role(request, session),
        "switch": _switched(request, here or request.url.path, i18n.other(language)),
        **context})
    if request.query_params.get("lang") in i18n.LANGUAGES:
        page.set_cookie(i18n.COOKIE, language, max_age=365 * 86400, samesite="lax", path="/portal")
    return page


def _switched(request: Request, path: str, language: str) -> str:
    """The same page in ``language``: its query kept (the auditor's target), ``lang`` replaced."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "token", "out")]
    return f"{path}?{urlencode([*kept, ('lang', language)])}"


def _role(request: Request, session: Session | None) -> str:
    return str(getattr(request.state, "portal_role", "")) if session else ""


def signed_in(request: Request, svc: Annotated[Service, Depends(service)]) -> Session:
    """The visitor's session, its participant still active in the registry now; else to the login page."""
    found = store(request).get(request.cookies.get(COOKIE, ""))
    if found is None:
        raise NotSignedIn()
    who = svc.platform.registry.participant(found.account)
    if who.status is not Status.ACTIVE:
        store(request).close(found.id)
        raise Refused(403, "refused.login", why="why.not_active")
    request.state.portal_role = who.role.name
    return found


Visitor = Annotated[Session, Depends(signed_in)]


def role_of(request: Request) -> Role:
    return Role[str(request.state.portal_role)]


def needs(request: Request, *roles: Role) -> None:
    if role_of(request) not in roles:
        raise Refused(403, "refused.role", role=f"role.{roles[0].name}")


async def csrf_checked(request: Request, visitor: Visitor) -> Session:
    """A form post carries the session's CSRF token in ``csrf``; anything else is refused, nothing done."""
    form = await request.form()
    given = form.get("csrf")
    if not isinstance(given, str) or not secrets.compare_digest(given, visitor.csrf):
        raise Refused(403, "refused.csrf")
    return visitor


Posted = Annotated[Session, Depends(csrf_checked)]


def install(app: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        t = i18n.translator(i18n.chosen(request))
        values = {k: t(str(v)) if str(v).startswith(("role.", "why.")) else v for k, v in exc.values.items()}
        return render(request, "refused.html", exc.status, message=t(exc.key, **values) if values else t(exc.key),
                      why=values.get("why", ""), detail=exc.detail)

    async def to_login(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/portal/login", status_code=303)

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(NotSignedIn, to_login)
