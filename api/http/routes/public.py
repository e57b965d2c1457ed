"""What anyone may read: liveness, the problem catalogue, and ``/v1/me`` (who a signature says you are)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.http.auth import Signed
from api.http.problems import CATALOGUE, NOT_FOUND, Problem

router = APIRouter(tags=["public"])


class Health(BaseModel):
    status: str


class Me(BaseModel):
    account: str
    role: str
    org_id: str


class ProblemClass(BaseModel):
    type: str
    status: int
    title: str


@router.get("/v1/health")
def health() -> Health:
    return Health(status="ok")


@router.get("/v1/me")
def me(caller: Signed) -> Me:
    """The participant the request's signature resolves to (try your signing here first)."""
    return Me(account=caller.account, role=caller.role.name.lower(), org_id=caller.org_id.hex())


@router.get("/problems")
def catalogue() -> list[ProblemClass]:
    """Every problem ``type`` the API answers with (RFC 9457), its status and title."""
    return [ProblemClass(type=k.uri, status=k.status, title=k.title) for k in CATALOGUE]


@router.get("/problems/{slug}")
def problem_class(slug: str) -> ProblemClass:
    for kind in CATALOGUE:
        if kind.slug == slug:
            return ProblemClass(type=kind.uri, status=kind.status, title=kind.title)
    raise Problem(NOT_FOUND, f"no problem type {slug!r}; GET /problems lists them")
