"""``audit trace`` at the edges: the target resolved (credit code → pseudonym, dataset → its hashes and
batches, application → its subject), the log read and each selected event proved, the chain's events
read, then the timeline printed or exported. The pure part is ``ledger.lineage``."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api import ApiError
from api.actions.trace import Trace
from api.cli.context import database, opened
from api.settings import Settings
from ledger.errors import VerificationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.chain import Chain
    from ledger.lineage.timeline import LogEntry

FORMATS = ("prov-json", "prov-o", "openlineage")


@dataclass(frozen=True)
class Asked:
    enterprise: str | None
    dataset: str | None
    asset: str | None
    application: str | None


def output_kind(as_json: bool, fmt: str | None) -> str:
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(f"--format must be one of {', '.join(FORMATS)}")
    if as_json and fmt is not None:
        raise ApiError("--json and --format are two different outputs: give one of them")
    return fmt or ("json" if as_json else "text")


def run(settings: Settings, asked: Asked, kind: str, out: Path | None) -> None:
    if sum(v is not None for v in (asked.enterprise, asked.dataset, asked.asset, asked.application)) != 1:
        raise ApiError("give one target: --enterprise, --dataset, --asset or --application")
    with opened(settings) as chain, database(settings) as engine:
        found = gathered(chain, settings, engine, asked)
    text = rendered(found, kind)
    failed = [e for e in found.log if e.proof.status == "failed"]
    if out is None or failed:  # a trace with a failed proof is shown, never written as an export
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        _write(out, text)
        print(f"wrote the trace of {found.target.kind} {found.target.label} to {out}")
    if failed:
        raise VerificationError(f"{len(failed)} event(s) of the trace fail their inclusion proof (tampered?): "
                                + "; ".join(e.proof.detail for e in failed[:3]))


def gathered(chain: Chain, settings: Settings, engine: Engine, asked: Asked) -> Trace:
    """:func:`api.actions.trace.gathered`, the application id read as the command's argument."""
    from api.actions import trace
    from api.cli import loan_args
    from api.cli.log import witness_check

    number = loan_args.application_id(asked.application) if asked.application is not None else None
    wanted = trace.Asked(asked.enterprise, asked.dataset, asked.asset, number)
    return trace.gathered(chain, settings, engine, wanted, witness_check(chain, settings))


def rendered(found: Trace, kind: str) -> str:
    if kind == "json":
        return json.dumps(_json(found), indent=2) + "\n"
    if kind in ("prov-json", "prov-o"):
        from ledger.lineage.provdoc import document, serialized

        return serialized(document(found.target, found.entries, found.vectors, found.datasets), kind)
    if kind == "openlineage":
        from ledger.lineage.runevents import json_lines, run_events

        return json_lines(run_events(found.entries, found.vectors, found.datasets))
    return _text(found)


def _json(found: Trace) -> dict[str, Any]:
    from ledger.lineage.timeline import as_json

    t = found.target
    return {"target": {"kind": t.kind, "label": t.label, "subject": t.subject},
            "ok": all(e.proof.status != "failed" for e in found.log), "counts": _counts(found),
            "entries": [as_json(e) for e in found.entries]}


def _counts(found: Trace) -> dict[str, int]:
    statuses = [e.proof.status for e in found.log]
    return {"log_events": len(statuses), "verified": statuses.count("verified"),
            "failed": statuses.count("failed"), "unanchored": statuses.count("unanchored"),
            "chain_events": len(found.entries) - len(statuses)}


def _text(found: Trace) -> str:
    from ledger.lineage.timeline import LogEntry

    c, t = _counts(found), found.target
    lines = [f"trace of {t.kind} {t.label}" + (f" (enterprise {t.subject})" if t.kind == "application" else "")
             + f": {c['log_events']} log events ({c['verified']} verified, {c['failed']} failed, "
             f"{c['unanchored']} not yet anchored), {c['chain_events']} chain events"]
    for e in found.entries:
        lines += _log_lines(e) if isinstance(e, LogEntry) else [
            f"{e.time}  chain {e.contract}.{e.name}  block {e.block}  {_args(e.args)}"]
    return "\n".join(lines) + "\n"


def _log_lines(e: LogEntry) -> list[str]:
    ev = e.event or {}
    said = [f"by {ev.get('actor')}"] + [f"{k} {ev[k]}" for k in ("purpose", "consent", "recipient", "reason")
                                        if ev.get(k)]
    said += [f"{len(ev.get(k, []))} {k}" for k in ("assets", "outputs") if ev.get(k)]
    return [f"{e.time or '?'}  log   #{e.index} {e.action}  " + ", ".join(said) + f"  [{e.why}]",
            f"    {e.proof.describe()}"]


def _args(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in args.items() if k != "signature")


def _write(path: Path, text: str) -> None:
    """Whole or not at all: written beside ``path``, then renamed over it."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ApiError(f"cannot write {path}: {exc}") from exc
