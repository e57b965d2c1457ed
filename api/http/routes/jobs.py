"""``GET /v1/jobs/{id}``: the state of long work (``api.http.jobs``), for the participant who started it
(and the operator, regulators and auditors, who oversee the platform)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.http.auth import Signed
from api.http.jobs import Job
from api.http.problems import FORBIDDEN, NOT_FOUND, Problem
from api.http.service import Service, service
from ledger.types import Role

router = APIRouter(tags=["jobs"])
OVERSEERS = (Role.OPERATOR, Role.REGULATOR, Role.AUDITOR)


class JobState(BaseModel):
    id: str
    kind: str
    owner: str
    state: str
    done: int
    total: int | None
    result: Any = None
    problem: dict[str, Any] | None = None
    created: str
    updated: str


def job_state(job: Job) -> JobState:
    return JobState(**job.__dict__)


@router.get("/v1/jobs/{job_id}")
def job(job_id: str, caller: Signed, svc: Annotated[Service, Depends(service)]) -> JobState:
    try:
        found = svc.jobs.get(job_id)
    except KeyError:
        raise Problem(NOT_FOUND, f"no job {job_id[:40]!r}") from None
    if found.owner != caller.account and caller.role not in OVERSEERS:
        raise Problem(FORBIDDEN, "a job is visible to the participant who started it and to the overseers")
    return job_state(found)
