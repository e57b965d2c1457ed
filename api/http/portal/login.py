"""Signing in with a registered key, no password (README "The portal").

1. ``POST /portal/challenge`` (what ``credtrace portal login`` calls) or the login page gives a fresh
   challenge, kept in the server's memory for two minutes, usable once.
2. The participant signs :func:`~api.http.portal.challenge.message` (the challenge bound to its account)
   with its Ed25519 key and opens ``/portal/login?token=…`` (the CLI prints the link).
3. The server takes the challenge (gone whatever follows), checks the signature against the key the
   ParticipantRegistry holds for the account *now*, as the API's signatures are, and refuses a
   participant who is not registered, suspended or exited. Then it opens a session: an opaque random
   id in an HttpOnly, SameSite=Lax cookie, scoped to ``/portal``, expiring with the session.

``POST /portal/logout`` (a form with the CSRF token) closes the session."""

from __future__ import annotations

from typing import Annotated

from eth_utils.address import is_address, to_checksum_address
from fastapi import APIRouter, Depends, Request
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from api import ApiError
from api.http.portal import challenge
from api.http.portal.sessions import CHALLENGE_TTL, SESSION_TTL, Session
from api.http.portal.web import COOKIE, Posted, Refused, render, store
from api.http.service import Service, service
from ledger.errors import ContractRevert
from ledger.types import Role, Status

router = APIRouter(include_in_schema=False)


class Challenge(BaseModel):
    challenge: str
    expires_in: int


@router.post("/portal/challenge")
def new_challenge(request: Request) -> Challenge:
    return Challenge(challenge=store(request).challenge(), expires_in=CHALLENGE_TTL)


@router.get("/portal/login")
def login(request: Request, svc: Annotated[Service, Depends(service)], token: str | None = None) -> Response:
    if token is None:
        return render(request, "login.html", challenge=store(request).challenge(), seconds=CHALLENGE_TTL,
                      base=str(request.base_url).rstrip("/"))
    session = _signed_in(request, svc, token)
    page = RedirectResponse("/portal", status_code=303)
    page.set_cookie(COOKIE, session.id, max_age=SESSION_TTL, httponly=True, samesite="lax", path="/portal",
                    secure=request.url.scheme == "https")
    return page


def _signed_in(request: Request, svc: Service, token: str) -> Session:
    try:
        found = challenge.parsed(token)
    except ApiError:
        raise Refused(400, "refused.login", why="why.malformed") from None
    if not store(request).take(found.challenge):
        raise Refused(401, "refused.login", why="why.expired")
    if not is_address(found.account):
        raise Refused(401, "refused.login", why="why.unknown")
    try:
        who = svc.platform.registry.participant(to_checksum_address(found.account))
    except ContractRevert:
        raise Refused(401, "refused.login", why="why.unknown") from None
    if who.role is Role.NONE:
        raise Refused(401, "refused.login", why="why.unknown")
    try:
        VerifyKey(who.signing_key).verify(challenge.message(found.challenge, found.account), found.signature)
    except (BadSignatureError, ValueError):
        raise Refused(401, "refused.login", why="why.forged") from None
    if who.status is not Status.ACTIVE:
        raise Refused(403, "refused.login", why="why.not_active")
    name = next((i.name for i in svc.keys.all() if i.address == who.account), who.account) \
        if svc.keys.directory.exists() else who.account
    return store(request).open(who.account, name)


@router.post("/portal/logout")
def logout(request: Request, visitor: Posted) -> Response:
    store(request).close(visitor.id)
    page = RedirectResponse("/portal/login?out=1", status_code=303)
    page.delete_cookie(COOKIE, path="/portal", httponly=True, samesite="lax")
    return page
