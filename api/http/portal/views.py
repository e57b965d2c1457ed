"""What each page shows, read through the functions the commands use (``api.actions``, the contract
clients, ``oracle.record``): no figure or check is computed here a second way. Each function takes the
running :class:`~api.http.service.Service` and returns plain records for a template."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.actions import decisions, ledger, trace

if TYPE_CHECKING:
    from api.actions.trace import Trace
    from api.http.service import Service
    from ledger.catalogue.assessment import DepartmentAssessment
    from ledger.contracts.loan_ledger import Application
    from ledger.contracts.sanctions_list import SanctionChange
    from ledger.operating import Report
    from ledger.types import Address, LoanStatus
    from oracle.verify import Check


@dataclass(frozen=True)
class Decided:
    """A final decision as its signed record states it."""

    predicate: dict[str, Any]
    record_hash: str
    signers: list[str]


@dataclass(frozen=True)
class ModelUse:
    model_id: str
    decisions: int
    approved: int
    pd_ppm_total: int


@dataclass(frozen=True)
class Listing:
    subject: str
    listed: bool
    changes: list[SanctionChange]
    texts: dict[str, str]


def names(svc: Service) -> dict[str, str]:
    """Account → key name for the participants whose keys the server holds (labels, never a rule)."""
    return {i.address: i.name for i in svc.keys.all()} if svc.keys.directory.exists() else {}


def applications(svc: Service, bank: Address) -> list[tuple[Application, LoanStatus]]:
    loans = svc.platform.loans
    found = loans.applications(bank)  # before the statuses, as ``loan list`` reads them
    statuses = loans.statuses()
    return [(a, statuses[a.application_id]) for a in found]


def decided(svc: Service, number: int) -> Decided | None:
    """The record the chain decided for ``number`` (``decision show``), None before a final decision."""
    from oracle import record

    if int(svc.platform.loans.decision(number).record_hash, 16) == 0:
        return None
    raw, digest = decisions.stored_record(svc.platform.loans, svc.platform.engine, number)
    return Decided(record.opened(raw)["predicate"], digest, sorted(record.envelope(raw).signatures))


def verified(svc: Service, number: int) -> list[Check]:
    """``decision verify``'s checks of the stored record, against the chain alone."""
    raw, _ = decisions.stored_record(svc.platform.loans, svc.platform.engine, number)
    return decisions.checks(svc.chain, svc.settings.deployment_path, raw, number)


def operating(svc: Service) -> Report:
    return ledger.folded_on(svc.chain, svc.settings)


def departments(svc: Service) -> list[DepartmentAssessment]:
    return ledger.departments(svc.platform.engine)


def models(svc: Service) -> list[ModelUse]:
    """Final decisions per model, from the LoanLedger's decisions (model monitoring, R2)."""
    loans = svc.platform.loans
    used: dict[str, list[tuple[bool, int]]] = defaultdict(list)
    for a in loans.applications():
        made = loans.decision(a.application_id)
        if int(made.record_hash, 16):
            used[made.model_id].append((made.approve, made.pd_ppm))
    return [ModelUse(m, len(v), sum(ok for ok, _ in v), sum(pd for _, pd in v)) for m, v in sorted(used.items())]


def sanctions(svc: Service) -> list[Listing]:
    """Every enterprise ever listed, with its listings and lifts (``sanctions show``'s history)."""
    p = svc.platform
    subjects = sorted({bytes(log["args"]["subject"]).hex()
                       for log in p.sanctions.contract.event("Sanctioned").get_logs(from_block=0)})
    found = []
    for subject in subjects:
        changes = p.sanctions.history(subject)
        texts = p.reasons.texts(c.reason.digest for c in changes if c.reason.digest)
        found.append(Listing(subject, bool(changes) and changes[-1].listed, changes, texts))
    return found


def traced(svc: Service, asked: trace.Asked) -> Trace:
    """``audit trace``'s gathering, each log event proved against the anchored root."""
    from ledger.provenance.witness import WitnessCheck

    p = svc.platform
    return trace.gathered(svc.chain, svc.settings, p.engine, asked, WitnessCheck(p.log, p.registry))
