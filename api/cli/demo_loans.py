"""The demo's loans on chain (issue 14, seeds R2 数据、资金、项目、清偿 and R8): the regulator's loss-sharing
policy and pools; banks apply for consenting enterprises (one of them sanctioned for false data, R9);
the oracle service (issue 15) reads each one's data through the gate, scores it with the approved model,
signs the decision record and sends the round in one ``decideBatch``; one approved and one declined
record are shown with their reasons, and one is verified against the chain alone; approved loans are
disbursed and repaid (the district pays part of the interest, 贴息); one goes overdue, defaults, is
compensated by the pools and a recovery is shared back.

Each run is a fresh round on the same chain: the policy in force is kept, the pools are topped up to
their demo balances, and new consents and applications are made. A resumed demo never repeats an
operation on an earlier round's loans, so nothing it left can make this round revert.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from web3.types import TxReceipt

from api import ApiError
from api.cli.context import console, keystore, sender_for
from api.cli.demo_data import CREDIT, demo_pilot
from api.platform import Platform
from api.settings import Settings
from ledger.chain import Identity, TransactionSender
from ledger.contracts.consent import Category, Grant, new_nonce, purpose
from ledger.contracts.loan_ledger import MUNICIPAL, Policy
from ledger.money import fen, yuan
from ledger.types import LoanStatus, Role

YUZHONG, JIANGBEI = 500103, 500105
"""The demo's two districts (GB/T 2260 codes), each with its own pool."""
POLICY = Policy(municipal_bps=4_000, district_bps=2_000, bank_bps=4_000, subsidy_bps=2_500, quorum=1,
                approval_validity=30 * 86_400, claim_window=180 * 86_400, loan_cap=fen("5,000,000"),
                bank_year_cap=fen("50,000,000"))
"""Version 1: 40% municipal, 20% district, 40% bank; the district pays a quarter of the interest."""
POOLS = {MUNICIPAL: fen("20,000,000"), YUZHONG: fen("5,000,000"), JIANGBEI: fen("5,000,000")}
"""What each pool holds at the start of a round: the regulator tops it up to this."""
EXTRA_ENTERPRISES = ("enterprise-2", "enterprise-3", "enterprise-4")
"""Pilot enterprises 2 to 4, given keys here so that several enterprises can consent."""
PRODUCT, TERM_MONTHS, RATE_BPS = "SME-CREDIT-1Y", 12, 450
CONSENTED = Category.TAX | Category.ELECTRICITY | Category.MARKET_SUPERVISION


@dataclass(frozen=True)
class Ask:
    """One application of a round."""

    bank: str
    enterprise: str
    amount: int
    district: int


ASKS = (
    Ask("bank-a", "enterprise-1", fen("1,000,000"), YUZHONG),
    Ask("bank-b", "enterprise-2", fen("800,000"), JIANGBEI),
    Ask("bank-a", "enterprise-3", fen("500,000"), YUZHONG),
    Ask("bank-b", "enterprise-4", fen("2,000,000"), JIANGBEI),  # sanctioned for false tax data: declined
)
SANCTIONED = "enterprise-4"


@dataclass(frozen=True)
class Applied:
    application_id: int
    ask: Ask
    bank: Identity


def loans_on_chain(p: Platform, settings: Settings, people: dict[str, Identity]) -> None:
    console.rule("9. loans on chain: apply, decide, disburse, repay, default, compensate, recover (R2, R8)")
    people = {**people, **_enterprises(p, settings)}
    regulator = sender_for(p.chain, people["regulator"])
    _policy(p, regulator)
    _pools(p, regulator)
    _sanction(p, regulator, people[SANCTIONED])
    round_ = [_apply(p, people, ask) for ask in ASKS]
    _decide(p, settings, people["oracle"])
    approved = [a for a in round_ if p.loans.loan(a.application_id).status is LoanStatus.APPROVED]
    declined = [a for a in round_ if p.loans.loan(a.application_id).status is LoanStatus.DECLINED]
    if len(approved) < 3 or not declined:
        raise ApiError(f"the demo needs three approvals and a decline; the oracle approved {len(approved)} and "
                       f"declined {len(declined)}")
    _records(p, settings, approved[0], declined[0])
    paid_off, instalments, defaulted = (_disburse(p, a) for a in approved[:3])
    _repay(p, paid_off, paid_off.principal, _interest(paid_off, paid_off.principal))
    half = instalments.principal // 2
    _repay(p, instalments, half, _interest(instalments, half))
    _repay(p, instalments, instalments.principal - half, _interest(instalments, instalments.principal - half))
    _default_and_recover(p, defaulted)
    _statuses(p, round_)


def known_enterprises(settings: Settings) -> dict[str, Identity]:
    """The extra enterprises an earlier round gave keys to, so the participants' table names them."""
    store = keystore(settings)
    return {name: store.load(name) for name in EXTRA_ENTERPRISES if name in store.names()}


def _enterprises(p: Platform, settings: Settings) -> dict[str, Identity]:
    """Keys for the extra enterprises (created once, with their pilot credit codes), registered on chain."""
    store, found = keystore(settings), {}
    codes = [e.credit_code for e in demo_pilot().enterprises] if set(EXTRA_ENTERPRISES) - set(store.names()) else []
    for n, name in enumerate(EXTRA_ENTERPRISES, start=1):
        found[name] = store.load(name) if name in store.names() else store.create(
            name, Role.ENTERPRISE, f"enterprise {n + 1} of the demo pilot", codes[n])
        if not p.registry.is_active(found[name].address):
            who = found[name]
            p.registry.register(sender_for(p.chain, p.operator), who.address, who.role, p.org_id(who),
                                who.signing_public_key)
            _say(f"registered {name} (ENTERPRISE, by its pseudonym)")
    return found


def _policy(p: Platform, regulator: TransactionSender) -> None:
    version = p.loans.policy_version()
    if version == 0:
        version = p.loans.set_policy(regulator, POLICY)
        _say(f"the regulator sets loss-sharing policy v{version}:")
    else:
        _say(f"loss-sharing policy v{version} is in force (kept):")
    q = p.loans.policy(version)
    _say(f"  municipal {q.municipal_bps / 100:g}%, district {q.district_bps / 100:g}%, bank "
                  f"{q.bank_bps / 100:g}% of a loss; the district pays {q.subsidy_bps / 100:g}% of interest; caps "
                  f"{yuan(q.loan_cap)} yuan a loan, {yuan(q.bank_year_cap)} yuan a bank a year")


def _pools(p: Platform, regulator: TransactionSender) -> None:
    for pool, target in POOLS.items():
        balance = p.loans.pool(pool).balance
        if balance < target:
            p.loans.fund(regulator, pool, target - balance)
        _say(f"the regulator funds the {_pool_name(pool)} pool with {yuan(max(target - balance, 0))} yuan: "
                      f"balance {yuan(p.loans.pool(pool).balance)} yuan")


def _pool_name(pool: int) -> str:
    return "municipal" if pool == MUNICIPAL else f"district {pool}"


def _apply(p: Platform, people: dict[str, Identity], ask: Ask) -> Applied:
    bank, enterprise = people[ask.bank], people[ask.enterprise]
    subject = bytes(p.org_id(enterprise)).hex()
    consent = _consent(p, enterprise, bank)
    app = p.loans.apply(sender_for(p.chain, bank), subject, consent, ask.amount, TERM_MONTHS, PRODUCT)
    _say(f"{ask.bank} applies for {ask.enterprise} (consent {consent[:10]}…): {yuan(ask.amount)} yuan over "
                  f"{TERM_MONTHS} months → application {app}")
    return Applied(app, ask, bank)


def _consent(p: Platform, enterprise: Identity, bank: Identity) -> str:
    """A fresh consent from ``enterprise`` to ``bank``, signed by the enterprise, submitted by the operator."""
    g = Grant(enterprise.address, bank.address, bytes(p.org_id(enterprise)), CONSENTED, purpose(CREDIT), 0,
              int(time.time()) + 90 * 86_400, new_nonce())
    p.consents.grant(sender_for(p.chain, p.operator), g, p.consents.sign_grant(g, enterprise.account))
    return p.consents.consent_id(g).hex()


def _sanction(p: Platform, regulator: TransactionSender, enterprise: Identity) -> None:
    subject = bytes(p.org_id(enterprise)).hex()
    if not p.sanctions.is_sanctioned(subject):
        p.sanctions.sanction(regulator, subject, "false tax data in its loan file (R9)")
    _say(f"the regulator has sanctioned {enterprise.name} for false tax data (R9): its applications are declined")


def _decide(p: Platform, settings: Settings, oracle: Identity) -> None:
    """The oracle service, as ``credtrace oracle run --once`` runs it: every application past its cursor
    read through the gate, scored, signed, sent in one ``decideBatch``, logged as a DECISION event."""
    from api.cli.model import model_registry
    from api.cli.oracle import served_model
    from oracle.lease import Lease
    from oracle.service import Oracle, Wiring

    models = model_registry(p.chain, settings)
    wiring = Wiring(p.chain, p.engine, p.gate, p.sequencer, p.loans, p.sanctions, p.consents, models)
    with Lease(settings.home / "oracle" / f"{oracle.name}.lock"):
        Oracle(wiring, oracle, served_model(settings, models, None), CREDIT, _say).run_pass(20)


def _records(p: Platform, settings: Settings, approved: Applied, declined: Applied) -> None:
    """Show an approved and a declined record with their reasons (``decision show``); write both under
    HOME/records; verify the approved one against the chain alone (``decision verify``)."""
    from api.cli.decision import checked, print_record, stored_record

    folder = settings.home / "records"
    folder.mkdir(mode=0o700, exist_ok=True)
    for a in (approved, declined):
        raw, decided = stored_record(p.chain, settings, a.application_id)
        (folder / f"application-{a.application_id}.json").write_bytes(raw)
        print_record(raw, decided, as_json=False)
    path = folder / f"application-{approved.application_id}.json"
    _say(f"records written to {folder}; a bank checks one against the chain alone "
         f"(`credtrace decision verify {path}`):")
    checked(p.chain, settings, path.read_bytes(), approved.application_id)


@dataclass(frozen=True)
class Loan:
    """An approved application, disbursed up to its limit."""

    application_id: int
    ask: Ask
    bank: Identity
    principal: int
    rate_bps: int
    """The rate the oracle set."""


def _disburse(p: Platform, a: Applied) -> Loan:
    decision = p.loans.decision(a.application_id)
    principal = min(a.ask.amount, decision.limit)
    receipt = p.loans.disburse(sender_for(p.chain, a.bank), a.application_id, principal, a.ask.district)
    version = _event(p, receipt, "Disbursed")["policyVersion"]
    _say(f"{a.ask.bank} disburses {yuan(principal)} yuan on application {a.application_id} in district "
         f"{a.ask.district} under policy v{version}")
    return Loan(a.application_id, a.ask, a.bank, principal, decision.rate_bps)


def _interest(loan: Loan, principal: int) -> int:
    """A year's simple interest at the rate the oracle set, in fen."""
    return principal * loan.rate_bps // 10_000


def _repay(p: Platform, a: Loan, principal: int, interest: int) -> None:
    receipt = p.loans.repay(sender_for(p.chain, a.bank), a.application_id, principal, interest)
    subsidy = _event(p, receipt, "Subsidised", {"amount": 0})["amount"]
    left = _event(p, receipt, "Repaid")["outstanding"]
    _say(f"{a.ask.bank} records a repayment on {a.application_id}: {yuan(principal)} yuan principal + "
                  f"{yuan(interest)} interest; district {a.ask.district} pays {yuan(subsidy)} of it (贴息); "
                  f"{yuan(left)} outstanding" + (" → REPAID" if left == 0 else ""))


def _default_and_recover(p: Platform, a: Loan) -> None:
    bank, app = sender_for(p.chain, a.bank), a.application_id
    _repay(p, a, fen("100,000"), _interest(a, fen("100,000")))
    p.loans.mark_overdue(bank, app, 45)
    receipt = p.loans.mark_default(bank, app, 95)
    _say(f"{a.ask.bank} marks {app} overdue (45 days past due), then defaulted (95 days): "
                  f"{yuan(_event(p, receipt, 'Defaulted')['outstanding'])} yuan outstanding")
    c = _event(p, p.loans.claim_compensation(bank, app), "Compensated")
    _say(f"{a.ask.bank} claims compensation on {app}: loss {yuan(c['loss'])} yuan; the municipal pool pays "
                  f"{yuan(c['municipalPaid'])}, district {c['district']} pays {yuan(c['districtPaid'])}, shortfall "
                  f"{yuan(c['municipalShortfall'] + c['districtShortfall'])}; the bank bears the rest → COMPENSATED")
    r = _event(p, p.loans.recover(bank, app, fen("120,000")), "Recovered")
    _say(f"{a.ask.bank} recovers {yuan(r['amount'])} yuan on {app}, shared back (清偿): "
                  f"{yuan(r['municipalReturned'])} to the municipal pool, {yuan(r['districtReturned'])} to district "
                  f"{a.ask.district}; {yuan(r['outstanding'])} yuan still outstanding")


def _statuses(p: Platform, round_: Iterable[Applied]) -> None:
    shown = ", ".join(f"{a.application_id} {LoanStatus(p.loans.loan(a.application_id).status).name}" for a in round_)
    _say(f"this round's applications: {shown}")
    _say("pools now: " + "; ".join(f"{_pool_name(pool)} {yuan(p.loans.pool(pool).balance)} yuan"
                                            for pool in POOLS))


def _say(line: str) -> None:
    """One step, one line: the terminal wraps it, not rich (a copied line stays whole)."""
    console.print(line, soft_wrap=True)


def _event(p: Platform, receipt: TxReceipt, name: str, default: dict[str, int] | None = None) -> dict[str, int]:
    """The arguments of the first ``name`` event in ``receipt`` (``default`` if none and one is given)."""
    found = next((dict(e["args"]) for e in p.loans.contract.events(receipt) if e["event"] == name), default)
    if found is None:
        raise ApiError(f"no {name} event in the receipt")  # the contract emits it on success
    return found
