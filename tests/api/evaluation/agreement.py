"""The evaluation's figures held to the chain and the log read independently (:mod:`evaluation_world`):
the checks any home must pass, the demo tour's and a pilot's alike. Each returns what it read, for the
caller's own assertions about its world."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from evaluation_world import events, log_actions, view

from api.evaluation.evaluation import NPL_TOLERANCE_BPS, Evaluation
from api.node import opened
from api.settings import Settings
from ledger.types import Role

LOAN_EVENTS = ("Applied", "Decided", "Disbursed", "Compensated", "Subsidised")


def loans_agree(e: Evaluation, home: Path) -> dict[str, list[dict[str, Any]]]:
    """Loans and amounts by bank and district, applications, approvals, compensation, subsidies and every
    pool field agree with the LoanLedger's events and its ``pool`` view."""
    settings = Settings.build(home, None)
    with opened(settings) as chain:
        read = {name: events(chain, settings, "LoanLedger", name) for name in LOAN_EVENTS}
        pools = {p.pool: view(chain, settings, "LoanLedger", "pool", p.pool) for p in e.ledger.pools}
    lent = read["Disbursed"]
    banks = {r.bank: r for r in e.ledger.banks}
    assert {b: (r.book.loans, r.book.disbursed) for b, r in banks.items() if r.book.loans} == {
        b: (n, sum(x["args"]["amount"] for x in lent if x["args"]["bank"] == b))
        for b, n in Counter(x["args"]["bank"] for x in lent).items()}
    assert {d.district: (d.book.loans, d.book.disbursed) for d in e.ledger.districts} == {
        code: (sum(1 for x in lent if x["args"]["district"] == code),
               sum(x["args"]["amount"] for x in lent if x["args"]["district"] == code))
        for code in {x["args"]["district"] for x in lent}}
    assert {b: r.pipeline.applications for b, r in banks.items()} == Counter(x["args"]["bank"] for x in read["Applied"])
    approved = sum(x["args"]["approved"] for x in read["Decided"])
    assert (e.approval_rate.numerator, e.approval_rate.denominator) == (approved, len(read["Decided"]))
    book = e.ledger.book
    assert book.municipal_paid + book.district_paid == sum(
        x["args"]["municipalPaid"] + x["args"]["districtPaid"] for x in read["Compensated"])
    assert book.subsidy == sum(x["args"]["amount"] for x in read["Subsidised"])
    assert {p.pool: (p.deposits, p.paid, p.returned, p.balance, p.shortfall) for p in e.ledger.pools} == {
        code: tuple(answer) for code, answer in pools.items()}  # the contract's Pool struct, field for field
    assert e.npl.tolerance_bps == NPL_TOLERANCE_BPS and e.npl.on_chain is False
    assert e.npl.ratio == book.npl_ratio and e.npl.within() == (book.npl * 10_000 <= 500 * book.outstanding)
    return read


def uses_agree(e: Evaluation, home: Path) -> Counter[tuple[str, str]]:
    """Data use by role, summed over the periods, is every log event counted by its actor's registered role."""
    settings = Settings.build(home, None)
    logged = log_actions(settings)
    with opened(settings) as chain:
        role = {actor: Role(view(chain, settings, "ParticipantRegistry", "participant", actor)[0]).name
                for _, actor in logged}
    expected: Counter[tuple[str, str]] = Counter()
    for (action, actor), n in logged.items():
        expected[(role[actor] if role[actor] != "NONE" else "UNREGISTERED", action)] += n
    found: Counter[tuple[str, str]] = Counter()
    for u in e.uses:
        found[(u.role, u.action)] += u.events
    assert found == expected
    return expected


def totals_agree(e: Evaluation, home: Path) -> None:
    """Blocks, transactions, events by contract, anchors and checkpoints, and the activity over the periods."""
    from ledger.chain import deployment

    settings = Settings.build(home, None)
    dep = deployment.load(settings.deployment_path)
    with opened(settings) as chain:
        head = int(chain.web3.eth.block_number)
        transactions = sum(len(chain.web3.eth.get_block(n)["transactions"]) for n in range(head + 1))
        by_contract = {name: len(chain.web3.eth.get_logs({"address": c.address, "fromBlock": 0, "toBlock": head}))
                       for name, c in dep.contracts.items()}
        anchors = events(chain, settings, "ProvenanceLog", "CheckpointAnchored")
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as db:
        size = db.execute(sa.text("SELECT count(*) FROM log_events")).scalar()
        checkpoints = db.execute(sa.text("SELECT count(*), count(anchor_tx) FROM log_checkpoints")).one()
    engine.dispose()
    t = e.totals
    assert (t.blocks, t.transactions, dict(t.by_contract), t.chain_events) == (
        head + 1, transactions, by_contract, sum(by_contract.values()))
    assert (t.anchors, t.anchored_size) == (len(anchors), max(x["args"]["treeSize"] for x in anchors))
    assert (t.log_events, t.checkpoints, t.checkpoints_anchored) == (size, *checkpoints)
    assert sum(a.blocks for a in e.activity) == head + 1 and sum(a.log_events for a in e.activity) == size
