"""``audit trace``'s work, shared by the command and the auditors' route: the target resolved (credit
code → pseudonym, dataset → its hashes and batches, application → its subject), the log read and each
selected event proved, the chain's events read, then the timeline rendered as text, JSON, PROV-JSON,
PROV-O or OpenLineage. The pure part is ``ledger.lineage``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api import ApiError, NotFound
from api.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.chain import Chain
    from ledger.lineage.onchain import ChainEvents
    from ledger.lineage.target import Target
    from ledger.lineage.timeline import Entry, LogEntry
    from ledger.provenance.witness import WitnessCheck

FORMATS = ("prov-json", "prov-o", "openlineage")
FAILED, OF = "Credtrace-Trace-Failed", "Credtrace-Trace-Of"
"""HTTP response headers beside a rendered trace: its failure (the command's ``error:`` line), and what it
is of (``enterprise <pseudonym>``), which the command prints and the text alone does not carry."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Asked:
    """One target: an enterprise by credit code (or by pseudonym, ``subject``: the portal knows no credit
    code), a dataset by name, an asset by SHA-256, an application."""

    enterprise: str | None = None
    dataset: str | None = None
    asset: str | None = None
    application: int | None = None
    subject: str | None = None

    def check(self) -> None:
        given = [v for v in (self.enterprise, self.dataset, self.asset, self.application, self.subject)
                 if v is not None]
        if len(given) != 1:
            raise ApiError("give one target: --enterprise, --dataset, --asset or --application")


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


def gathered(chain: Chain, settings: Settings, engine: Engine, asked: Asked,
             check: WitnessCheck | None = None) -> Trace:
    """The target's log events, each proved (``check``: a server passes its long-lived one), and its chain
    events, in time order."""
    from api.actions.proofs import witness_check
    from ledger.lineage import inclusion, timeline
    from ledger.lineage.catalogue import datasets_of
    from ledger.provenance import LogStore

    asked.check()
    events = _chain_events(chain, settings)
    target = _target(settings, engine, events, asked)
    store = LogStore(engine)
    selected = timeline.select(list(store.leaves(0, store.size())), target)
    proved = inclusion.checked(store, selected, check or witness_check(chain, settings))
    batches = frozenset(h for e in proved if e.action == "INGEST" for h in (e.event or {}).get("assets", []))
    return Trace(target, timeline.ordered(proved, events.about(target)), _vectors(engine, proved),
                 datasets_of(engine, batches))


def _target(settings: Settings, engine: Engine, events: ChainEvents, asked: Asked) -> Target:
    from ledger.lineage import catalogue
    from ledger.lineage.target import Target, request_id

    if asked.enterprise is not None or asked.subject is not None:
        subject = _pseudonym(settings, asked.enterprise) if asked.enterprise is not None else _sha256(asked.subject)
        hashes, indexes = catalogue.of_subject(engine, subject)
        return Target("enterprise", subject, subject, hashes, indexes,
                      applications=tuple(events.applications_of(subject)))
    if asked.dataset is not None:
        hashes, indexes = catalogue.of_dataset(engine, _dataset(asked.dataset))
        return Target("dataset", asked.dataset, hashes=hashes, indexes=indexes)
    if asked.asset is not None:
        digest = _sha256(asked.asset, "--asset")
        return Target("asset", digest, hashes=frozenset({digest}))
    number, subject = _application(events, asked.application or 0)
    return Target("application", str(number), subject, request_ids=frozenset({request_id(number)}),
                  applications=(number,), by_subject=False)


def _sha256(text: str | None, what: str = "the enterprise's pseudonym") -> str:
    digest = (text or "").strip().lower().removeprefix("0x")
    if not _SHA256.fullmatch(digest):
        raise ApiError(f"{what} must be a SHA-256: 64 hex digits")
    return digest


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


def _application(events: ChainEvents, number: int) -> tuple[int, str]:
    count = events.loans.application_count()
    if not 1 <= number <= count:
        raise NotFound(f"no application {number} on chain: it has {count}")
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


def failure(found: Trace) -> str | None:
    """Why the trace fails (some event's inclusion proof does not hold), or None."""
    failed = [e for e in found.log if e.proof.status == "failed"]
    if not failed:
        return None
    return (f"{len(failed)} event(s) of the trace fail their inclusion proof (tampered?): "
            + "; ".join(e.proof.detail for e in failed[:3]))


def rendered(found: Trace, kind: str) -> str:
    """The trace as ``kind``: text, json, prov-json, prov-o (Turtle) or openlineage (JSON Lines)."""
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
