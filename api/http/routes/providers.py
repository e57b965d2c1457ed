"""Departments (PROVIDER): push a dataset batch, and see how their dataset's data was used.

``POST /v1/datasets/{dataset}/batches`` is ``credtrace data ingest`` (``/corrections``: ``data correct``):
the same :func:`api.actions.supply.supplied`, so the supply right is the ingestion's own (an active
PROVIDER of the department that owns the dataset; anyone else is refused 403 ``supply-refused`` and
recorded as ``DENIED``, as on the command line). The body is the department's file as it is: CSV
(``text/csv``, header first) or JSON Lines (``application/jsonl``).

A retry is safe: the batch's idempotency key is the ``Idempotency-Key`` header, or else the SHA-256 of the
body; a batch stored before under the same key is answered 409 ``batch-repeated`` naming it, and nothing is
stored twice. A batch of up to :data:`SYNC_ROWS` lines is answered at once (201, the ingestion report);
a larger one, or any with ``?job=true``, runs as a job (202, ``Location: /v1/jobs/{id}``, progress in rows).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.actions import supply, usage
from api.http.auth import Caller, Signed
from api.http.jobs import Progress
from api.http.problems import BAD_REQUEST, NOT_OWNER, SUPPLY_REFUSED, Problem
from api.http.routes.jobs import JobState, job_state
from api.http.service import Service, service
from api.platform import Platform
from ledger.catalogue import rights
from ledger.catalogue.errors import SupplyRefused
from ledger.catalogue.ingest import IngestReport

router = APIRouter(tags=["providers"])
SYNC_ROWS = 5_000
"""Lines in a batch answered within the request (a few seconds of work); more run as a job."""
MEDIA_TYPES = {"text/csv": "csv", "application/jsonl": "jsonl", "application/x-ndjson": "jsonl"}
BATCH_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string"}} for media in MEDIA_TYPES}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    202: {"model": JobState, "description": "A large batch (or ?job=true): running as a job"},
    403: {"description": "supply-refused: not the department that owns the dataset (recorded as DENIED)"},
    409: {"description": "batch-repeated: stored before under this key; nothing added"},
}


class IngestAnswer(BaseModel):
    """What ``credtrace data ingest`` prints, as data: counts, reasons, the first rejected rows, the event."""

    batch_id: str
    department: str
    rows_total: int
    stored: int
    rejected: list[tuple[int, str]]
    content_hash: str
    event_index: int
    rejected_total: int
    reasons: list[tuple[str, int]]
    received_at: str
    claimed_at: str | None
    kind: str


async def raw_body(request: Request) -> bytes:
    return await request.body()  # read (and cached) once already, for the signature's digest


Body = Annotated[bytes, Depends(raw_body)]
Svc = Annotated[Service, Depends(service)]


@router.post("/v1/datasets/{dataset}/batches", status_code=201, response_model=IngestAnswer, responses=PROBLEMS,
             openapi_extra=BATCH_BODY)
def push_batch(dataset: str, caller: Signed, svc: Svc, body: Body, content_type: Annotated[str, Header()] = "",
               idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
               claimed_at: Annotated[str | None, Query(max_length=40)] = None,
               job: bool = False) -> IngestAnswer | JSONResponse:
    """A department's batch (``credtrace data ingest``): the ingestion report, or a job for a large batch."""
    return _supply(_asked(dataset, caller, body, content_type, idempotency_key, claimed_at, job, False), svc)


@router.post("/v1/datasets/{dataset}/corrections", status_code=201, response_model=IngestAnswer, responses=PROBLEMS,
             openapi_extra=BATCH_BODY)
def push_correction(dataset: str, caller: Signed, svc: Svc, body: Body, content_type: Annotated[str, Header()] = "",
                    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                    claimed_at: Annotated[str | None, Query(max_length=40)] = None,
                    job: bool = False) -> IngestAnswer | JSONResponse:
    """New versions of the department's stored rows (``credtrace data correct``; recorded as TRANSFORM)."""
    return _supply(_asked(dataset, caller, body, content_type, idempotency_key, claimed_at, job, True), svc)


@dataclass(frozen=True)
class Asked:
    """One pushed batch as the route read it: the format from its media type, its idempotency key, its
    lines (the progress total of a job), and whether it runs as a job."""

    dataset: str
    caller: Caller
    body: bytes
    fmt: str
    key: str
    claimed_at: str | None
    lines: int
    job: bool
    correction: bool


def _asked(dataset: str, caller: Caller, body: bytes, content_type: str, key: str | None, claimed_at: str | None,
           job: bool, correction: bool) -> Asked:
    fmt = MEDIA_TYPES.get(content_type.split(";")[0].strip().lower())
    if fmt is None:
        raise Problem(BAD_REQUEST, f"send the batch as {' or '.join(MEDIA_TYPES)}, not {content_type[:60]!r}")
    lines = body.count(b"\n") + (not body.endswith(b"\n")) - (fmt == "csv")  # a CSV's header is no row
    return Asked(dataset, caller, body, fmt, key or hashlib.sha256(body).hexdigest(), claimed_at, lines,
                 job or lines > SYNC_ROWS, correction)


def _supply(asked: Asked, svc: Service) -> IngestAnswer | JSONResponse:
    try:
        if not asked.job:
            return _answer(_ingested(asked, svc, None))
        with svc.writing() as p:  # a sender who may not supply is refused now, not by a job that fails later
            supply.sender_checked(p, asked.caller.account, asked.dataset)
    except SupplyRefused as refused:  # (a job's own refusal is its problem document, from the same error)
        raise Problem(SUPPLY_REFUSED, supply.refused_line(refused), event_index=refused.event_index) from None
    done = svc.jobs.submit("ingest", asked.caller.account,
                           lambda progress: _answer(_ingested(asked, svc, progress)).model_dump())
    return JSONResponse(job_state(done).model_dump(), status_code=202, headers={"Location": f"/v1/jobs/{done.id}"})


def _ingested(asked: Asked, svc: Service, progress: Progress | None) -> IngestReport:
    with svc.writing() as p:
        report = supply.supplied(p, asked.dataset, io.BytesIO(asked.body), asked.fmt, asked.caller.account,
                                 asked.claimed_at, asked.correction, asked.key, progress, asked.lines)
        supply.stored(p, report)
    return report


def _answer(report: IngestReport) -> IngestAnswer:
    return IngestAnswer(**{**report.__dict__, "rejected": list(report.rejected), "reasons": list(report.reasons)})


@router.get("/v1/datasets/{dataset}/usage")
def dataset_usage(dataset: str, caller: Signed, svc: Svc) -> list[usage.Use]:
    """Everything that concerns the dataset (its batches, the reads of its records, the decisions citing
    them), for the department that owns it."""
    _owner(svc.platform, caller, dataset)
    return usage.of_dataset(svc.platform.engine, dataset)


def _owner(p: Platform, caller: Caller, dataset: str) -> None:
    """The department that may supply ``dataset`` (the ingestion's own rule) is the one that may see its use."""
    refused = rights.refusal(p.registry, caller.account, dataset)
    if refused is not None:
        raise Problem(NOT_OWNER, refused)
