"""The demo's data-platform steps: a pilot ingested from every department, consents, reads
through the gate (allowed and refused), a witness checked, and the department assessment."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from api.cli.context import console, sender_for
from api.cli.report import table
from api.platform import Platform, now_iso
from ledger.catalogue.assessment import assess
from ledger.catalogue.errors import AccessDenied, SupplyRefused
from ledger.catalogue.gate import AccessRequest
from ledger.catalogue.ingest import ingest
from ledger.catalogue.schema import SCHEMAS
from ledger.chain import Identity
from ledger.contracts.consent import Category, Grant, consent_id_hex, new_nonce, purpose
from ledger.provenance.witness import WitnessCheck, prove
from ledger.types import Address
from simulation.defects import with_bad_rows
from simulation.pilot import Pilot, Row, generate

DEMO_PILOT = {"n_enterprises": 300, "months": 36, "seed": 7}
"""The demo's pilot; ``credtrace init`` gives enterprise-1 its first enterprise's credit code."""
PROVIDERS = {"tax": "tax-bureau", "registration": "market-supervision",
             "administrative_penalties": "market-supervision"}
"""Which demo key delivers which dataset; the rest come from the department's own key."""
CREDIT = "credit-assessment"


def demo_pilot() -> Pilot:
    return generate(**DEMO_PILOT)  # type: ignore[arg-type]


def provider_of(dataset: str) -> str:
    return PROVIDERS.get(dataset, SCHEMAS[dataset].department.replace("_", "-"))


def data_platform(p: Platform, people: dict[str, Identity]) -> None:
    console.rule("5. departments deliver a pilot month by month (R3); bad rows are reported, not dropped")
    pilot = demo_pilot()
    if p.stats.rows():
        console.print("the catalogue already holds the pilot: nothing to ingest")
    else:
        _ingest(p, people, pilot)
    console.rule("6. the enterprise consents (EIP-712, on chain); reads go through the gate (R4, R7, R9)")
    consent = _consent(p, people)
    _reads(p, people, consent)
    console.rule("7. data-aggregation assessment of each department (R10)")
    console.print(table(assess(p.stats)))


def _ingest(p: Platform, people: dict[str, Identity], pilot: Pilot) -> None:
    began, stored, rejected = time.perf_counter(), 0, []
    for dataset, rows in pilot.records.items():
        by_period: dict[str, list[Row]] = {}
        for row in rows:
            by_period.setdefault(str(row["period"]), []).append(row)
        for delivery in pilot.arrivals[dataset]:
            batch = by_period.get(delivery.period, [])
            if dataset == "tax" and delivery.period == pilot.periods[-1]:
                batch = with_bad_rows(batch, 3, np.random.default_rng(1))[0]
            if batch:  # the pilot's history: the platform's clock reads the simulated delivery day
                report = ingest(replace(p.ingestion, now=_clock(f"{delivery.delivered.isoformat()}T09:00:00+08:00")),
                                dataset, batch,
                                people[provider_of(dataset)].address)
                stored += report.stored
                rejected += [(dataset, delivery.period, n, why) for n, why in report.rejected]
    console.print(f"{stored:,} rows stored encrypted in {time.perf_counter() - began:.1f} s, "
                  f"{len(rejected)} rejected, one INGEST event per batch")
    for dataset, period, number, why in rejected:
        console.print(f"  rejected {dataset} {period} row {number}: {why}", soft_wrap=True)
    _refused(p, people, pilot)


def _clock(at: str) -> Callable[[], str]:
    return lambda: at


def _refused(p: Platform, people: dict[str, Identity], pilot: Pilot) -> None:
    """A bank trying to push tax rows is refused, and the refusal is in the log (issue 12)."""
    try:
        ingest(p.ingestion, "tax", pilot.records["tax"][:1], people["bank-b"].address)
    except SupplyRefused as refused:
        console.print(f"bank-b tries to push tax rows → [red]{refused.reason}[/red] (DENIED event "
                      f"{refused.event_index})", soft_wrap=True)


def _consent(p: Platform, people: dict[str, Identity]) -> str:
    enterprise = people["enterprise-1"]
    assert enterprise.credit_code is not None
    g = Grant(enterprise.address, people["bank-a"].address, bytes.fromhex(p.pseudonymise(enterprise.credit_code)),
              Category.TAX | Category.ELECTRICITY | Category.MARKET_SUPERVISION, purpose(CREDIT), 0,
              int(time.time()) + 90 * 86_400, new_nonce())
    p.consents.grant(sender_for(p.chain, p.operator), g, p.consents.sign_grant(g, enterprise.account))
    consent = consent_id_hex(p.consents.consent_id(g))
    console.print(f"enterprise-1 grants bank-a tax, electricity and market-supervision data for "
                  f"'{CREDIT}' for 90 days: consent {consent[:18]}…")
    return consent


def _reads(p: Platform, people: dict[str, Identity], consent: str) -> None:
    code = people["enterprise-1"].credit_code or ""

    def ask(who: str, on_behalf_of: Address | None = None) -> AccessRequest:
        return AccessRequest(people[who].address, code, ("tax", "registration"), CREDIT, f"demo-{who}-{now_iso()}",
                             consent, on_behalf_of)

    shown = p.gate.read(ask("bank-a"))
    person = next(r for r in shown.records if r["department"] == "registration")
    console.print(f"bank-a reads {len(shown.records)} records (ACCESS event {shown.event_index}); the legal "
                  f"representative shows as {person['legal_rep_name']}, ID {person['legal_rep_id_number']}, "
                  f"phone {person['phone']}", soft_wrap=True)
    oracle = p.gate.read(ask("oracle", on_behalf_of=people["bank-a"].address))
    console.print(f"the oracle reads for bank-a: {len(oracle.records)} records, no personal fields, no credit code")
    for who in ("bank-b", "tax-bureau"):
        try:
            p.gate.read(ask(who))
        except AccessDenied as refused:
            console.print(f"{who} tries to read → [red]{refused.reason}[/red] (DENIED event {refused.event_index})")
    p.seal_and_anchor()
    check = WitnessCheck(p.log, p.registry)
    witness = prove(p.sequencer.store, str(shown.event_index), check)
    check(witness)
    console.print(f"bank-a's ACCESS is proven against the root anchored on chain with "
                  f"{len(witness['inclusion']['hashes'])} hashes, checked against the chain alone")
