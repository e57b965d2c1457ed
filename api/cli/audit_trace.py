"""``audit trace`` at the edges: the target resolved (credit code → pseudonym, dataset → its hashes and
batches, application → its subject), the log read and each selected event proved, the chain's events
read, then the timeline printed or exported. The pure part is ``ledger.lineage``."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api import ApiError
from api.cli.context import database, opened
from api.settings import Settings
from ledger.errors import VerificationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.chain import Chain
    from ledger.lineage.onchain import ChainEvents
    from ledger.lineage.target import Target
    from ledger.lineage.timeline import Entry, LogEntry

FORMATS = ("prov-json", "prov-o", "openlineage")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Asked:
    enterprise: str | None
    dataset: str | None
    asset: str | None
    application: str | None


@dataclass(frozen=True)
class Trace:
    target: Target
    entries: list[Entry]
    vectors: dict[str, str]
    datasets: dict[str, str]

    @property
    def log(self) -> list[LogEntry]:
        from ledger.lineage.timeline import LogEntry

        return [e for e in self.entries if isinstance(e, LogEntry)]


def output_kind(as_json: bool, fmt: str | None) -> str:
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(f"--format must be one of {', '.join(FORMATS)}")
    if as_json and fmt is not None:
        raise ApiError("--json and --format are two different outputs: give one of them")
    return fmt or ("json" if as_json else "text")


def run(settings: Settings, asked: Asked, kind: str, out: Path | None) -> None:
    given = [v for v in (asked.enterprise, asked.dataset, asked.asset, asked.application) if v is not None]
    if len(given) != 1:
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
    from api.cli.log import witness_check
    from ledger.lineage import inclusion, timeline
    from ledger.lineage.catalogue import datasets_of
    from ledger.provenance import LogStore

    events = _chain_events(chain, settings)
    target = _target(settings, engine, events, asked)
    store = LogStore(engine)
    selected = timeline.select(list(store.leaves(0, store.size())), target)
    proved = inclusion.checked(store, selected, witness_check(chain, settings))
    batches = frozenset(h for e in proved if e.action == "INGEST" for h in (e.event or {}).get("assets", []))
    return Trace(target, timeline.ordered(proved, events.about(target)), _vectors(engine, proved),
                 datasets_of(engine, batches))


def _target(settings: Settings, engine: Engine, events: ChainEvents, asked: Asked) -> Target:
    from ledger.lineage import catalogue
    from ledger.lineage.target import Target, request_id

    if asked.enterprise is not None:
        subject = _pseudonym(settings, asked.enterprise)
        hashes, indexes = catalogue.of_subject(engine, subject)
        return Target("enterprise", subject, subject, hashes, indexes,
                      applications=tuple(events.applications_of(subject)))
    if asked.dataset is not None:
        hashes, indexes = catalogue.of_dataset(engine, _dataset(asked.dataset))
        return Target("dataset", asked.dataset, hashes=hashes, indexes=indexes)
    if asked.asset is not None:
        digest = asked.asset.strip().lower().removeprefix("0x")
        if not _SHA256.fullmatch(digest):
            raise ApiError("--asset must be a SHA-256: 64 hex digits")
        return Target("asset", digest, hashes=frozenset({digest}))
    number, subject = _application(events, asked.application or "")
    return Target("application", str(number), subject, request_ids=frozenset({request_id(number)}),
                  applications=(number,), by_subject=False)


def _pseudonym(settings: Settings, code: str) -> str:
    from ledger.catalogue.vault import PSEUDONYM_KEY, Pseudonymiser, load_key
    from ledger.identifiers.errors import IdentifierError
    from ledger.identifiers.uscc import validate

    try:
        valid = validate(code.strip())
    except IdentifierError:  # its message repeats the code: not here
        raise ApiError("--enterprise is not a valid unified social credit code (GB 32100-2015)") from None
    return Pseudonymiser(load_key(settings.secrets_dir / PSEUDONYM_KEY))(valid)


def _dataset(name: str) -> str:
    from ledger.catalogue.schema import SCHEMAS

    if name not in SCHEMAS:
        raise ApiError(f"unknown dataset: give one of {', '.join(SCHEMAS)}")
    return name


def _application(events: ChainEvents, text: str) -> tuple[int, str]:
    from api.cli import loan_args

    number = loan_args.application_id(text)
    count = events.loans.application_count()
    if number > count:
        raise ApiError(f"no application {number} on chain: it has {count}")
    return number, events.loans.application(number).subject


def _chain_events(chain: Chain, settings: Settings) -> ChainEvents:
    from ledger.chain import deployment
    from ledger.contracts import ConsentRegistry, SanctionsList
    from ledger.contracts.consent_registry import NAME as CONSENTS
    from ledger.contracts.loan_ledger import NAME as LOANS
    from ledger.contracts.loan_ledger import LoanLedger
    from ledger.contracts.sanctions_list import NAME as SANCTIONS
    from ledger.lineage.onchain import ChainEvents

    dep = deployment.load(settings.deployment_path)
    return ChainEvents(ConsentRegistry(deployment.contract(chain, dep, CONSENTS)),
                       LoanLedger(deployment.contract(chain, dep, LOANS)),
                       SanctionsList(deployment.contract(chain, dep, SANCTIONS)))


def _vectors(engine: Engine, entries: Sequence[LogEntry]) -> dict[str, str]:
    """Decision record hash → its feature vector's hash, from the oracle's stored records."""
    import sqlalchemy as sa

    from oracle import record
    from oracle.errors import RecordError
    from oracle.store import records

    wanted = [h for e in entries if e.action == "DECISION" for h in (e.event or {}).get("outputs", [])]
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for digest, raw in conn.execute(sa.select(records.c.record_hash, records.c.record)
                                        .where(records.c.record_hash.in_(wanted))):
            try:
                found[str(digest)] = str(record.opened(bytes(raw))["predicate"]["featureVectorHash"])
            except (RecordError, KeyError, TypeError):
                continue
    return found


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
