"""What regulators do over HTTP, each route over the function its command calls:

* sanction and lift an enterprise (``credtrace sanctions add|lift``, ``api.actions.oversight``);
* approve and retire a model (``credtrace model approve|retire``);
* read the operating ledger (台账: ``credtrace ledger report --json``, ``report departments --json``);
* start a replay from genesis (``credtrace replay``): a job (202, ``Location: /v1/jobs/{id}``) whose result
  is the replay's JSON report, its progress the step under way.

Acting on chain: once the request's signature is verified, the server sends the regulator's transaction
from the regulator's own account, whose key it holds (``svc.keys``, the custody model in the README), under
the one writer lock. The contracts check the role again (an active regulator), so a route's role check
is a courtesy that answers early, never the rule: a suspended regulator is refused at the signature
(403 participant-not-active) and would be by the chain.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from api import ApiError
from api.actions import ledger, oversight
from api.http.auth import Caller, with_role
from api.http.custody import acting
from api.http.jobs import Progress
from api.http.routes.jobs import JobState, job_state
from api.http.routes.proofs import Svc
from api.http.service import Service
from ledger.types import Role

router = APIRouter(tags=["regulators"])
Regulator = Annotated[Caller, Depends(with_role(Role.REGULATOR))]
Overseer = Annotated[Caller, Depends(with_role(Role.REGULATOR, Role.AUDITOR))]
ModelId = Annotated[str, Path(pattern=r"^(0x)?[0-9a-fA-F]{64}$")]
EVERY = 0.25
"""Seconds between the replay job's progress writes (a step may advance once per event)."""


class SanctionAsked(BaseModel):
    credit_code: str = Field(min_length=1, max_length=40, description="Unified social credit code (GB 32100-2015)")
    reason: str = Field(min_length=1, max_length=1000, description="A reason code (FALSE_DATA …) or a text")


class SanctionDone(BaseModel):
    listed: bool
    subject: str = Field(description="The enterprise's pseudonym, as the chain holds it")


class Retirement(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class ModelDone(BaseModel):
    model_id: str
    action: str


class Department(BaseModel):
    department: str
    timeliness: float | None = Field(description="Mean days late; null when nothing has arrived")
    completeness: float
    accuracy: float
    rows_received: int
    rows_stored: int


@router.post("/v1/sanctions")
def sanction(asked: SanctionAsked, caller: Regulator, svc: Svc) -> SanctionDone:
    """List an enterprise: the gate and the oracle refuse to serve it from now on (``sanctions add``)."""
    with acting(svc, caller) as (p, by):
        done = oversight.sanction(p, by, "sanction", asked.credit_code, asked.reason)
    return SanctionDone(listed=done.listed, subject=done.subject)


@router.post("/v1/sanctions/lifts")
def lift(asked: SanctionAsked, caller: Regulator, svc: Svc) -> SanctionDone:
    """Lift a sanction (``sanctions lift``)."""
    with acting(svc, caller) as (p, by):
        done = oversight.sanction(p, by, "lift", asked.credit_code, asked.reason)
    return SanctionDone(listed=done.listed, subject=done.subject)


@router.post("/v1/models/{model_id}/approval")
def approve(model_id: ModelId, caller: Regulator, svc: Svc) -> ModelDone:
    """Approve a registered model: from now on it may serve decisions (``model approve``)."""
    with acting(svc, caller) as (_, by):
        oversight.approve(oversight.model_registry(svc.chain, svc.settings), by, model_id)
    return ModelDone(model_id=model_id, action="approved")


@router.post("/v1/models/{model_id}/retirement")
def retire(model_id: ModelId, asked: Retirement, caller: Regulator, svc: Svc) -> ModelDone:
    """Retire a model: it no longer serves decisions (``model retire``)."""
    with acting(svc, caller) as (p, by):
        oversight.retire(p, oversight.model_registry(svc.chain, svc.settings), by, model_id, asked.reason)
    return ModelDone(model_id=model_id, action="retired")


@router.get("/v1/ledger")
def operating_ledger(caller: Overseer, svc: Svc) -> dict[str, Any]:
    """The operating ledger as ``ledger report --json``: loans, NPL, compensation and subsidies by bank and
    district, the pools, totals; money in fen, ratios exact; folded from LoanLedger's events alone."""
    from ledger.operating.document import to_json

    return to_json(ledger.folded_on(svc.chain, svc.settings))


@router.get("/v1/ledger/departments")
def departments(caller: Overseer, svc: Svc) -> list[Department]:
    """Each department's data-aggregation assessment (``report departments --json``)."""
    return [Department(**{**d.to_json(), "timeliness": None if math.isnan(d.timeliness) else d.timeliness})
            for d in ledger.departments(svc.platform.engine)]


@router.post("/v1/replays", status_code=202)
def replay(caller: Regulator, svc: Svc, response: Response) -> JobState:
    """Replay the ledger from genesis as a job (``credtrace replay``); ``GET /v1/jobs/{id}`` shows its progress
    and, once done, its result: ``{"ok", "blocks", "events", "decisions", "mismatches": [...]}``. The replay
    holds the writer lock, so it sees one state of the chain and the log, and writes wait for it."""
    job = svc.jobs.submit("replay", caller.account, lambda progress: replayed(svc, progress))
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_state(job)


def replayed(svc: Service, progress: Progress) -> dict[str, Any]:
    from api.replay.run import replay as run

    with svc.writing():
        return run(svc.settings, lambda _: nullcontext(svc.chain), _tasks(progress)).as_json()


def _tasks(progress: Progress) -> Callable[[str, int | None], Callable[[int], None]]:
    """The replay's steps as the job's progress: how far the step under way is, of its total."""

    def task(description: str, total: int | None) -> Callable[[int], None]:
        done, written = [0], [time.monotonic()]
        progress(0, total)

        def advance(n: int) -> None:
            done[0] += n
            if time.monotonic() - written[0] >= EVERY or done[0] == total:
                progress(done[0], total)
                written[0] = time.monotonic()

        return advance

    return task


DAY = 86_400
UINT32 = 2**32 - 1
FIELD_NAMES = {"municipal_bps": "municipal_bps", "district_bps": "district_bps", "bank_bps": "bank_bps",
               "subsidy_bps": "subsidy_bps", "quorum": "quorum", "approval_validity": "approval_days",
               "claim_window": "claim_days", "loan_cap": "loan_cap", "bank_year_cap": "bank_year_cap"}


class PolicyAsked(BaseModel):
    """What ``policy set`` takes: a field left out keeps the latest version's value (the first needs all)."""

    municipal_bps: int | None = Field(None, ge=0, le=10_000, description="Municipal pool's share of a loss")
    district_bps: int | None = Field(None, ge=0, le=10_000, description="District pool's share of a loss")
    bank_bps: int | None = Field(None, ge=0, le=10_000, description="The bank's share (the three make 10000)")
    subsidy_bps: int | None = Field(None, ge=0, le=10_000, description="District's share of interest (贴息)")
    quorum: int | None = Field(None, ge=1, le=255, description="Oracles that must submit the same decision")
    approval_days: int | None = Field(None, ge=1, le=UINT32 // DAY)
    claim_days: int | None = Field(None, ge=1, le=UINT32 // DAY)
    loan_cap: str | None = Field(None, min_length=1, max_length=40, description="Yuan, as the command takes it")
    bank_year_cap: str | None = Field(None, min_length=1, max_length=40, description="Yuan")


class PolicyDone(BaseModel):
    """The version set and its terms in the contract's units: bps, count, seconds, fen."""

    version: int
    municipal_bps: int
    district_bps: int
    bank_bps: int
    subsidy_bps: int
    quorum: int
    approval_validity: int
    claim_window: int
    loan_cap: int
    bank_year_cap: int


def _given(asked: PolicyAsked) -> dict[str, int]:
    from ledger.money import fen

    text = asked.model_dump(exclude_none=True)
    days = {"approval_validity": "approval_days", "claim_window": "claim_days"}
    given = {k: v for k, v in text.items() if k not in (*days.values(), "loan_cap", "bank_year_cap")}
    given |= {name: text[day] * DAY for name, day in days.items() if day in text}
    return given | {name: fen(text[name]) for name in ("loan_cap", "bank_year_cap") if name in text}


@router.post("/v1/policy")
def set_policy(asked: PolicyAsked, caller: Regulator, svc: Svc) -> PolicyDone:
    """A new loss-sharing policy version (``policy set``); loans already disbursed keep theirs."""
    from dataclasses import asdict

    from api.actions.policy import set_policy as set_version
    from ledger.chain import deployment
    from ledger.contracts.loan_ledger import NAME, LoanLedger

    given = _given(asked)
    if not given:
        raise ApiError("nothing to set: give at least one of " + ", ".join(FIELD_NAMES.values()))
    loans = LoanLedger(deployment.contract(svc.chain, deployment.load(svc.settings.deployment_path), NAME))
    with acting(svc, caller) as (_, by):
        version, policy = set_version(loans, by, given, FIELD_NAMES)
    return PolicyDone(version=version, **asdict(policy))
