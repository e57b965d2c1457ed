"""Each stage carries out one month of the plan through the platform's own paths (the catalogue's
ingestion, the consent registry, the loan ledger, the oracle's pass, the regulator's acts) and is
idempotent: it looks at the chain or the database first, so a stage redone after a crash adds only what
the crash left out.

- ingestion: first the chain's clock is moved to the month's opening (:func:`api.pilot.calendar.moved_to`:
  not again once there); each delivery is a keyed batch (:func:`ledger.catalogue.ingest.batch_id`): a repeat is
  refused by the catalogue (``BatchRepeated``) and stores nothing;
- consent: an enterprise is registered unless active; its grant's nonce is derived from the seed, so
  ``nonceUsed`` says whether it was granted;
- applications: the chain's ``Applied`` events per enterprise against the plan's count up to this month;
- decisions: the oracle's own pass (exactly once by itself: ``oracle.service``);
- loan-events: an approved loan is disbursed (closed if its bank has exited); each loan's script
  (:mod:`api.pilot.schedule`) goes on from the act the chain's state shows;
- oversight: a sanction or a bank's exit, unless the chain already shows it;
- model: the quarter's PSI; on drift a retrained model approved and the old one retired;
- sealing: the log sealed and anchored.

Each returns how many acts it made (rows stored, consents, applications, decisions, loan acts, …).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from api import ApiError
from api.pilot import calendar, models, pipe
from api.pilot.cast import enterprise
from api.pilot.plan import Application, Month, Plan, quarter_months
from api.pilot.schedule import position, script
from api.platform import Platform
from api.settings import Settings
from ledger.catalogue.errors import BatchRepeated
from ledger.catalogue.ingest import ingest
from ledger.chain import Identity, TransactionSender
from ledger.contracts.consent import Category, Grant, purpose
from ledger.contracts.loan_ledger import product_id
from ledger.types import Address, LoanStatus
from simulation.defects import with_bad_rows
from simulation.pilot import Pilot, Row

CREDIT = "credit-assessment"
PRODUCT = "SME-CREDIT-1Y"
CONSENTED = Category.TAX | Category.SOCIAL_SECURITY | Category.ELECTRICITY | Category.MARKET_SUPERVISION \
    | Category.COURTS
CONSENT_DAYS = 3 * 365
ORACLE_BATCH = 100
"""Decisions per ``decideBatch`` (``credtrace oracle run --batch``'s most: 100 fit in a block)."""
LIVE = (LoanStatus.DISBURSED, LoanStatus.OVERDUE, LoanStatus.DEFAULTED, LoanStatus.COMPENSATED)


@dataclass
class Running:
    """One run's world, plan and participants, over the opened platform."""

    settings: Settings
    p: Platform
    world: Pilot
    plan: Plan
    seed: int
    people: dict[str, Identity]
    banks: list[Identity]
    journal_blocks: Callable[[str, str], tuple[int, int] | None]
    """(period, stage) → the block range a finished step spanned (the model stage reads the decisions')."""
    say: Callable[[str], None]
    _enterprises: dict[int, Identity] = field(default_factory=dict)
    _senders: dict[str, TransactionSender] = field(default_factory=dict)
    """One per account for the run: a sender counts its nonces locally."""
    _rates: dict[int, int] = field(default_factory=dict)
    """Application → the rate its decision set (final once decided: read once a run)."""

    def enterprise(self, i: int) -> Identity:
        if i not in self._enterprises:
            self._enterprises[i] = enterprise(self.seed, self.world.enterprises[i].credit_code, i + 1)
        return self._enterprises[i]

    def sender(self, who: Identity) -> TransactionSender:
        if who.address not in self._senders:
            self._senders[who.address] = TransactionSender(self.p.chain, who.account)
        return self._senders[who.address]

    def forget(self, *who: Identity) -> None:
        """Drop these accounts' senders: a sender of their own sent since (their nonces are read again)."""
        for one in who:
            self._senders.pop(one.address, None)

    def rate(self, application_id: int) -> int:
        if application_id not in self._rates:
            self._rates[application_id] = self.p.loans.decision(application_id).rate_bps
        return self._rates[application_id]

    @cached_property
    def rows(self) -> dict[tuple[str, str], list[Row]]:
        """(dataset, period) → the world's rows of that delivery."""
        out: dict[tuple[str, str], list[Row]] = {}
        for dataset, rows in self.world.records.items():
            for row in rows:
                out.setdefault((dataset, str(row["period"])), []).append(row)
        return out

    def subject(self, i: int) -> str:
        return self.p.pseudonymise(self.world.enterprises[i].credit_code)


# ---- ingestion ------------------------------------------------------------------------------------------


def ingestion(r: Running, month: Month) -> int:
    from api.cli.demo_data import provider_of

    calendar.moved_to(r.p.chain, r.sender(r.p.operator), month.period)
    stored = 0
    for d in month.deliveries:
        rows = r.rows.get((d.dataset, d.period), [])
        if d.bad_rows and len(rows) > d.bad_rows:
            rows = with_bad_rows(rows, d.bad_rows, np.random.default_rng([r.seed, month.index, 3]))[0]
        if not rows:
            continue
        at = f"{d.delivered.isoformat()}T09:00:00+08:00"  # the platform's clock reads the delivery day
        try:
            stored += ingest(replace(r.p.ingestion, now=_clock(at)), d.dataset, rows,
                             r.people[provider_of(d.dataset)].address, key=f"pilot/{r.seed}/{d.dataset}/{d.period}"
                             ).stored
        except BatchRepeated:
            continue  # delivered before a crash: the catalogue has it
    return stored


def _clock(at: str) -> Callable[[], str]:
    return lambda: at


# ---- consent --------------------------------------------------------------------------------------------


def nonce(seed: int, credit_code: str, bank: str) -> int:
    """The grant's nonce, derived: a redone stage asks the chain whether it was used."""
    return int.from_bytes(hashlib.sha256(f"credtrace/pilot/{seed}/consent/{credit_code}/{bank}".encode()).digest())


def consent(r: Running, month: Month) -> int:
    from ledger.types import Role

    operator, p, lane = r.sender(r.p.operator), r.p, pipe.Pipe()
    for e, _ in month.consents:
        who = r.enterprise(e)
        if not p.registry.is_active(who.address):
            lane.add(operator, p.registry.contract, "register", who.address, int(Role.ENTERPRISE), p.org_id(who),
                     who.signing_public_key)
    lane.flush()
    granted, expires = 0, calendar.now(p.chain) + CONSENT_DAYS * 86_400  # the chain's calendar, not the wall's
    for e, b in month.consents:
        who, bank = r.enterprise(e), r.banks[b]
        n = nonce(r.seed, str(who.credit_code), bank.name)
        if p.consents.nonce_used(who.address, n):
            continue
        g = Grant(who.address, bank.address, bytes(p.org_id(who)), CONSENTED, purpose(CREDIT), 0, expires, n)
        lane.add(operator, p.consents.contract, "grant", g.as_tuple(), p.consents.sign_grant(g, who.account))
        granted += 1
    lane.flush()
    return granted


# ---- applications ---------------------------------------------------------------------------------------


def applications(r: Running, month: Month) -> int:
    p = r.p
    consents = {(str(log["args"]["enterprise"]), str(log["args"]["bank"])): bytes(log["args"]["consentId"])
                for log in p.consents.contract.event("ConsentGranted").get_logs(from_block=0)}
    have = Counter(a.subject for a in p.loans.applications())
    planned = Counter(a.enterprise for m in r.plan.months[:month.index + 1] for a in m.applications)
    lane = pipe.Pipe()
    for a in sorted(month.applications, key=lambda a: a.bank):
        subject = r.subject(a.enterprise)
        if have[subject] >= planned[a.enterprise]:
            continue
        who, bank = r.enterprise(a.enterprise), r.banks[a.bank]
        lane.add(r.sender(bank), p.loans.contract, "applyFor", bytes.fromhex(subject),
                 consents[(who.address, bank.address)], a.amount, a.term_months, product_id(PRODUCT))
    return len(lane.flush())


# ---- decisions ------------------------------------------------------------------------------------------


def decisions(r: Running, month: Month) -> int:
    from api.cli.model import model_registry
    from api.cli.oracle import served_model
    from oracle.lease import Lease
    from oracle.service import Oracle, Wiring

    p, oracle = r.p, r.people["oracle"]
    models_ = model_registry(p.chain, r.settings)
    wiring = Wiring(p.chain, p.engine, p.gate, p.sequencer, p.loans, p.sanctions, p.consents, models_)
    with Lease(r.settings.home / "oracle" / f"{oracle.name}.lock"):
        return Oracle(wiring, oracle, served_model(r.settings, models_, None), CREDIT,
                      lambda _: None).run_pass(ORACLE_BATCH)


# ---- loan events ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """An application of the chain with the plan's: its month, enterprise and terms."""

    application_id: int
    bank: Address
    month: int
    asked: Application


def known(r: Running) -> list[Known]:
    """Each ``Applied`` event matched to the plan: an enterprise's k-th application is its k-th planned."""
    planned: dict[str, list[tuple[int, Application]]] = {}
    for m in r.plan.months:
        for a in m.applications:
            planned.setdefault(r.subject(a.enterprise), []).append((m.index, a))
    seen: Counter[str] = Counter()
    out = []
    for applied in r.p.loans.applications():
        if seen[applied.subject] >= len(planned.get(applied.subject, ())):
            raise ApiError(f"application {applied.application_id} is not the pilot's: a pilot runs in a home of its "
                           "own (--home)")
        month, asked = planned[applied.subject][seen[applied.subject]]
        seen[applied.subject] += 1
        out.append(Known(applied.application_id, applied.bank, month, asked))
    return out


def loan_events(r: Running, month: Month) -> int:
    p, statuses = r.p, r.p.loans.statuses()
    apps = {k.application_id: k for k in known(r)}
    banks = {b.address: b for b in r.banks}
    lane = pipe.Pipe()
    for app_id, status in statuses.items():
        if status is LoanStatus.APPROVED:
            k = apps[app_id]
            bank = r.sender(banks[k.bank])
            if not p.registry.is_active(k.bank):  # exited (R8): an approval it will not pay out is closed
                lane.add(bank, p.loans.contract, "close", app_id)
                continue
            limit = p.loans.decision(app_id).limit
            lane.add(bank, p.loans.contract, "disburse", app_id, min(k.asked.amount, limit),
                     int(r.world.enterprises[k.asked.enterprise].district))
    acts = len(lane.flush())
    for app_id, status in p.loans.statuses().items():
        if status in LIVE:
            _script(r, lane, apps[app_id], banks[apps[app_id].bank], month.index)
    return acts + len(lane.flush())


def _script(r: Running, lane: pipe.Pipe, k: Known, bank: Identity, now: int) -> None:
    """Queue the acts of the loan's script due by month ``now`` that the chain has not seen."""
    loan = r.p.loans.loan(k.application_id)
    share = float(np.random.default_rng([r.seed, 4, k.asked.enterprise]).uniform(0.1, 0.4))
    acts = script(loan.principal, r.rate(k.application_id), k.asked.term_months, k.month,
                  r.plan.trouble.get(k.asked.enterprise), share)
    state = (loan.status, loan.outstanding, loan.interest_paid, loan.recovered, loan.days_past_due)
    due = [a for a in acts[position(acts, (LoanStatus.DISBURSED, loan.principal, 0, 0, 0), state):] if a.month <= now]
    for a in due:
        lane.add(r.sender(bank), r.p.loans.contract, a.operation, k.application_id, *a.args)


# ---- oversight ------------------------------------------------------------------------------------------


def oversight(r: Running, month: Month) -> int:
    from api.actions.oversight import sanction

    p, acts = r.p, 0
    regulator = r.sender(r.people["regulator"])
    if month.sanction is not None and not p.sanctions.is_sanctioned(r.subject(month.sanction)):
        sanction(p, regulator, "sanction", r.world.enterprises[month.sanction].credit_code, "FALSE_DATA")
        r.say(f"{month.period}: the regulator sanctions enterprise-{month.sanction + 1} for false data (R9)")
        acts += 1
    if month.exit_bank is not None and p.registry.is_active(r.banks[month.exit_bank].address):
        bank = r.banks[month.exit_bank]
        p.registry.exit(r.sender(bank), bank.address, "BANK_EXIT")
        r.say(f"{month.period}: {bank.name} exits the pilot (R8); its loans are still serviced")
        acts += 1
    return acts


# ---- model ----------------------------------------------------------------------------------------------


def model(r: Running, month: Month) -> int:
    """At a quarter's end: PSI of the quarter's scores against the serving model's development sample; on
    drift a model trained on the newest history serves from next month, and the old one is retired."""
    from api.cli.model import model_registry

    if not month.quarter_end:
        return 0
    current = models.in_force(r.settings, month.index)
    decided = _decided_scores(r, month)
    psi = models.psi(current, decided)
    last = month.index + 1 >= len(r.plan.months)  # no month left for a new model to serve
    drift = not last and (month.drift or (psi is not None and psi > models.PSI_LIMIT))
    _note(r, month, current, len(decided), psi, drift)
    if not drift:
        return 0
    registry = model_registry(r.p.chain, r.settings)
    r.forget(r.p.operator, r.people["regulator"])  # models.approved and retired send with senders of their own
    new = models.train(r.settings, month.index + 1, len(r.world.enterprises), r.seed,
                       r.plan.months[month.index + 1].period)
    acts = int(models.approved(r.p, registry, new, r.people["regulator"]))
    why = f"PSI {psi} at {month.period}" if psi is not None and psi > models.PSI_LIMIT else \
        f"drift at {month.period}: replaced by {new.model_id[:12]}"
    return acts + int(models.retired(r.p, registry, current.model_id, r.people["regulator"], why))


def _note(r: Running, month: Month, current: models.Trained, scores: int, psi: float | None, drift: bool) -> None:
    """What the monitoring found, in HOME/pilot/monitoring/<period>.json (:func:`models.monitoring` reads
    them), and a line."""
    where = r.settings.home / "pilot" / "monitoring"
    where.mkdir(parents=True, exist_ok=True)
    note = {"period": month.period, "model": current.model_id, "scores": scores, "psi": psi,
            "planned_drift": month.drift, "retrained": drift}
    (where / f"{month.period}.json").write_text(json.dumps(note, indent=2) + "\n")
    r.say(f"{month.period}: quarterly monitoring: {scores} scores, PSI {'n/a' if psi is None else psi}"
          + (" → a retrained model is approved, the old one retired" if drift else ""))


def _decided_scores(r: Running, month: Month) -> list[float]:
    """The scores of the quarter's decisions that were scored (a refusal's score is 0), from the chain."""
    spans = [r.journal_blocks(r.plan.months[m].period, "decisions") for m in quarter_months(r.plan, month.index)]
    out: list[float] = []
    for span in spans:
        if span is not None and span[1] >= span[0]:
            logs = r.p.loans.contract.event("Decided").get_logs(from_block=span[0], to_block=span[1])
            out += [float(log["args"]["score"]) for log in logs if int(log["args"]["score"]) > 0]
    return out


# ---- sealing --------------------------------------------------------------------------------------------


def sealing(r: Running, month: Month) -> int:
    before = r.p.sequencer.store.sealed_size()
    r.p.seal_and_anchor()
    return r.p.sequencer.store.sealed_size() - before


STAGES: dict[str, Callable[[Running, Month], int]] = {
    "ingestion": ingestion, "consent": consent, "applications": applications, "decisions": decisions,
    "loan-events": loan_events, "oversight": oversight, "model": model, "sealing": sealing,
}
