"""A lineage trace (seeds R5) gathered: the target resolved (credit code or pseudonym → its hashes and
batches, dataset → its hashes, application → its subject), the log's events about it each proved against
a root anchored on chain, and the chain's events about it, merged oldest first (``ledger.lineage``, the
pure part). ``credtrace audit trace`` prints or exports it; the portal shows an enterprise who used its
data and an auditor the timeline with each event's proof status."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api import ApiError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.settings import Settings
    from ledger.chain import Chain
    from ledger.lineage.onchain import ChainEvents
    from ledger.lineage.target import Target
    from ledger.lineage.timeline import Entry, LogEntry
    from ledger.provenance.witness import WitnessCheck

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Asked:
    """One target: an enterprise by credit code or by pseudonym, a dataset, an asset hash, an application."""

    enterprise: str | None = None
    dataset: str | None = None
    asset: str | None = None
    application: int | None = None
    subject: str | None = None


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


def gathered(chain: Chain, settings: Settings, engine: Engine, asked: Asked, check: WitnessCheck) -> Trace:
    """The trace of ``asked``: its log events proved by ``check`` (RFC 9162 against the anchored root)."""
    from ledger.lineage import inclusion, timeline
    from ledger.lineage.catalogue import datasets_of
    from ledger.provenance import LogStore

    given = [v for v in (asked.enterprise, asked.dataset, asked.asset, asked.application, asked.subject)
             if v is not None]
    if len(given) != 1:
        raise ApiError("give one target: --enterprise, --dataset, --asset or --application")
    events = chain_events(chain, settings)
    target = _target(settings, engine, events, asked)
    store = LogStore(engine)
    selected = timeline.select(list(store.leaves(0, store.size())), target)
    proved = inclusion.checked(store, selected, check)
    batches = frozenset(h for e in proved if e.action == "INGEST" for h in (e.event or {}).get("assets", []))
    return Trace(target, timeline.ordered(proved, events.about(target)), _vectors(engine, proved),
                 datasets_of(engine, batches))


def _target(settings: Settings, engine: Engine, events: ChainEvents, asked: Asked) -> Target:
    from ledger.lineage import catalogue
    from ledger.lineage.target import Target, request_id

    if asked.enterprise is not None or asked.subject is not None:
        subject = _pseudonym(settings, asked.enterprise) if asked.enterprise is not None else _subject(asked.subject)
        hashes, indexes = catalogue.of_subject(engine, subject)
        return Target("enterprise", subject, subject, hashes, indexes,
                      applications=tuple(events.applications_of(subject)))
    if asked.dataset is not None:
        hashes, indexes = catalogue.of_dataset(engine, _dataset(asked.dataset))
        return Target("dataset", asked.dataset, hashes=hashes, indexes=indexes)
    if asked.asset is not None:
        return Target("asset", _subject(asked.asset, "--asset"), hashes=frozenset({_subject(asked.asset, "--asset")}))
    number, subject = _application(events, asked.application or 0)
    return Target("application", str(number), subject, request_ids=frozenset({request_id(number)}),
                  applications=(number,), by_subject=False)


def _subject(text: str | None, what: str = "the enterprise's pseudonym") -> str:
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
        raise ApiError(f"no application {number} on chain: it has {count}")
    return number, events.loans.application(number).subject


def chain_events(chain: Chain, settings: Settings) -> ChainEvents:
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
