"""The timeline's log events as OpenLineage run events (https://openlineage.io/spec/2-0-2/OpenLineage.json),
built with ``openlineage-python``'s own models (``openlineage.client.event_v2``) and its ``Serde``.

One ``RunEvent`` per provenance event: the job is the action (``ingest``, ``transform``, ``access``,
``output``, ``decide``, ``denied``) in the namespace ``credtrace``; the run id is a UUID (RFC 9562 v5)
of the event's leaf hash, so the same event always has the same run; ``eventType`` is ``COMPLETE``, or
``FAIL`` for a refusal (DENIED). Inputs and outputs are datasets named by content: a batch
``dataset/<name>/batch/<sha256>``, a record or other asset ``asset/<sha256>``, a feature vector
``vector/<sha256>``, a decision record ``record/<sha256>``. The ``credtrace`` run facet carries who acted
(an account), about whom (a pseudonym), why, and the event's proof; never a raw code.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attr
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import RunFacet
from openlineage.client.serde import Serde

from ledger.lineage.timeline import Entry, LogEntry

NAMESPACE = "credtrace"
PRODUCER = "urn:credtrace:audit-trace"
FACET_SCHEMA = "urn:credtrace:lineage:CredtraceRunFacet"
JOBS = {"INGEST": "ingest", "TRANSFORM": "transform", "ACCESS": "access", "OUTPUT": "output",
        "DECISION": "decide", "DENIED": "denied"}


@attr.define
class CredtraceRunFacet(RunFacet):
    """The provenance event behind the run: its place in the log, its fields, its proof."""

    logIndex: int  # noqa: N815  (OpenLineage facets are camelCase)
    leafHash: str  # noqa: N815
    action: str
    actor: str | None = None
    subject: str | None = None
    purpose: str | None = None
    consent: str | None = None
    requestId: str | None = None  # noqa: N815
    recipient: str | None = None
    reason: str | None = None
    proof: dict[str, Any] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return FACET_SCHEMA


def run_events(entries: Sequence[Entry], vectors: Mapping[str, str], datasets: Mapping[str, str]) -> list[RunEvent]:
    access = {e.leaf: e for e in entries if isinstance(e, LogEntry) and e.action == "ACCESS"}
    return [_run_event(e, access, vectors, datasets) for e in entries if isinstance(e, LogEntry) and e.event]


def json_lines(events: Sequence[RunEvent]) -> str:
    """One event a line, as OpenLineage's file transport writes them."""
    return "".join(Serde.to_json(e) + "\n" for e in events)


def run_id(leaf: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:credtrace:event:{leaf}"))


def _run_event(e: LogEntry, access: Mapping[str, LogEntry], vectors: Mapping[str, str],
               datasets: Mapping[str, str]) -> RunEvent:
    ev = e.event or {}
    facet = CredtraceRunFacet(
        logIndex=e.index, leafHash=e.leaf, action=e.action, actor=ev.get("actor"), subject=ev.get("subject"),
        purpose=ev.get("purpose"), consent=ev.get("consent"), requestId=ev.get("request_id"),
        recipient=ev.get("recipient"), reason=ev.get("reason"),
        proof={"status": e.proof.status, "treeSize": e.proof.tree_size, "detail": e.proof.detail or None},
        producer=PRODUCER)
    inputs, outputs = _datasets(e, ev, access, vectors, datasets)
    return RunEvent(eventType=RunState.FAIL if e.action == "DENIED" else RunState.COMPLETE, eventTime=e.time,
                    run=Run(runId=run_id(e.leaf), facets={"credtrace": facet}),
                    job=Job(namespace=NAMESPACE, name=JOBS.get(e.action, e.action.lower())),
                    inputs=[InputDataset(NAMESPACE, n) for n in inputs],
                    outputs=[OutputDataset(NAMESPACE, n) for n in outputs], producer=PRODUCER)


def _datasets(e: LogEntry, ev: Mapping[str, Any], access: Mapping[str, LogEntry], vectors: Mapping[str, str],
              datasets: Mapping[str, str]) -> tuple[list[str], list[str]]:
    if e.action == "DECISION":
        cited = [access[h] for h in ev.get("assets", []) if h in access]
        inputs = [f"asset/{h}" for read in cited for h in (read.event or {}).get("assets", [])]
        records = list(ev.get("outputs", []))
        inputs += [f"vector/{vectors[r]}" for r in records if r in vectors]
        return inputs, [f"record/{r}" for r in records]
    if e.action == "INGEST":
        return [f"dataset/{datasets.get(h, 'unknown')}/batch/{h}" for h in ev.get("assets", [])], []
    return [f"asset/{h}" for h in ev.get("assets", [])], [f"asset/{h}" for h in ev.get("outputs", [])]
