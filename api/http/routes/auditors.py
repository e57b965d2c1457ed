"""What auditors (and regulators, who oversee the platform too) read of enterprise data: a trace of an
enterprise, a dataset, an asset or an application (``credtrace audit trace``), an object by its SHA-256
(``credtrace objects get``), and whose copy a leaked file is (``credtrace audit leak``). Each route calls the
function its command calls (``api.actions.trace``, ``api.objects``, ``api.actions.leak``).

Every request is signed; anyone else, or an unsigned or refused request, is refused and the refusal is
recorded in the log as ``DENIED`` (``auth.reading``), as the access gate records its own.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.actions import leak as leaks
from api.actions import trace as traces
from api.http.auth import Caller, reading
from api.http.routes.proofs import Check, Svc
from api.objects import get as get_object
from ledger.provenance import LogStore
from ledger.types import Role

router = APIRouter(tags=["auditors"])
Auditor = Annotated[Caller, Depends(reading(Role.AUDITOR, Role.REGULATOR))]
MEDIA = {"text": "text/plain; charset=utf-8", "json": "application/json", "prov-json": "application/json",
         "prov-o": "text/turtle; charset=utf-8", "openlineage": "application/x-ndjson"}
TRACE_CONTENT: dict[int | str, dict[str, Any]] = {200: {"description": "The trace in the format asked for", "content": {
    "text/plain": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}},
    "text/turtle": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}}}
Sha256 = Annotated[str, Path(pattern=r"^(0x)?[0-9a-fA-F]{64}$")]


class LeakExport(BaseModel):
    recipient: str
    event_index: int
    time: str
    exported_by: str
    enterprise: str | None
    consent: str | None
    matched: int
    intact: int
    witness: dict[str, Any]


class LeakAnswer(BaseModel):
    traceable: bool
    file: str
    file_sha256: str
    exports: list[LeakExport]
    unknown_fingerprints: int


@router.get("/v1/audit/trace", response_class=Response, responses=TRACE_CONTENT)
def trace(caller: Auditor, svc: Svc, check: Check,
          enterprise: Annotated[str | None, Query(max_length=40)] = None,
          dataset: Annotated[str | None, Query(max_length=64)] = None,
          asset: Annotated[str | None, Query(max_length=70)] = None,
          application: Annotated[int | None, Query(ge=1, le=2**64)] = None,
          format: Literal["text", "json", "prov-json", "prov-o", "openlineage"] = "json") -> Response:
    """Every log event about the target, each proved against a root anchored on chain, and its chain events,
    oldest first: ``audit trace`` as text, JSON (``--json``) or an export (``--format``). A trace with a
    failed proof is still answered (200), its failure in the ``Credtrace-Trace-Failed`` header."""
    asked = traces.Asked(enterprise, dataset, asset, application)
    asked.check()
    found = traces.gathered(svc.chain, svc.settings, svc.platform.engine, asked, check)
    failure = traces.failure(found)
    headers = {traces.OF: f"{found.target.kind} {found.target.label}"}
    if failure:
        headers[traces.FAILED] = failure.encode("ascii", "replace").decode()[:2000]
    return Response(traces.rendered(found, format), media_type=MEDIA[format], headers=headers)


@router.get("/v1/objects/{sha256}", response_class=Response, responses={200: {
    "description": "The object's bytes, checked to hash to its name",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
def object_(sha256: Sha256, caller: Auditor, svc: Svc) -> Response:
    """A model artifact, feature vector or decision record by the SHA-256 of its bytes (``objects get``)."""
    found = get_object(svc.platform.engine, svc.settings.home / "models", sha256.lower().removeprefix("0x"))
    return Response(found.data, media_type="application/octet-stream", headers={"Credtrace-Object-Kind": found.kind})


@router.post("/v1/audit/leaks")
def leak(caller: Auditor, svc: Svc, check: Check,
         document: Annotated[bytes, Body(media_type="application/octet-stream")] = b"",
         name: Annotated[str, Query(min_length=1, max_length=200)] = "leaked file") -> LeakAnswer:
    """Whose copy the posted file (an export, or an excerpt: JSON or JSON Lines) is: the recipient, the OUTPUT
    event and its inclusion proof checked against the chain (``audit leak``); ``traceable`` false if none.
    Post the file's bytes as ``application/octet-stream`` (at most ``limits.MAX_BODY``: 413 past it)."""
    found = leaks.traced(name, document, LogStore(svc.platform.engine), check)
    return LeakAnswer.model_validate(found.to_json())
