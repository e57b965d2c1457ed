"""The evaluation's figures against the chain and the log read independently (web3 with the contracts'
ABIs, their view functions, SQL on the log's table): counts and money agree exactly, on the demo's home
as it is (one period, ``all``) and with a journal splitting it into two months."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from agreement import loans_agree, totals_agree, uses_agree
from evaluation_world import events, first_applied, log_actions
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from api.actions.ledger import departments
from api.evaluation.evaluation import NPL_TOLERANCE_BPS, Evaluation, gather
from api.node import opened
from api.settings import Settings
from ledger.migrations import open_engine
from ledger.types import LoanStatus


def evaluated(home: Path) -> Evaluation:
    settings = Settings.build(home, None)
    engine = open_engine(settings.db_url)
    with opened(settings) as chain:
        found = gather(settings, chain, engine)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def plain(demo_home: Path) -> Evaluation:
    return evaluated(demo_home)


@pytest.fixture(scope="module")
def monthly(journaled_home: Path) -> Evaluation:
    return evaluated(journaled_home)


def test_loans_amounts_compensation_subsidies_and_pools_agree_with_the_loan_events_and_the_contract(
        plain: Evaluation, demo_home: Path) -> None:
    read = loans_agree(plain, demo_home)
    assert read["Compensated"] and read["Subsidised"]  # the tour's world has both: the sums above are not 0 = 0


def test_decision_latency_is_read_off_the_blocks_of_applied_and_decided(plain: Evaluation, demo_home: Path) -> None:
    settings = Settings.build(demo_home, None)
    with opened(settings) as chain:
        asked = {e["args"]["applicationId"]: e["blockNumber"] for e in events(chain, settings, "LoanLedger", "Applied")}
        decided = events(chain, settings, "LoanLedger", "Decided")
        stamp = {n: int(chain.web3.eth.get_block(n)["timestamp"]) for n in range(int(chain.web3.eth.block_number) + 1)}
    seconds = sorted(stamp[e["blockNumber"]] - stamp[asked[e["args"]["applicationId"]]] for e in decided)
    assert plain.latency.count == len(decided) == 4
    assert plain.latency.max == seconds[-1] and plain.latency.p50 == seconds[1]  # rank ⌈0.5 · 4⌉ = 2
    assert plain.latency.p95 == seconds[3] and plain.latency_by_period == (("all", plain.latency),)


def test_data_use_by_role_counts_every_log_event_by_its_actors_registered_role(
        plain: Evaluation, demo_home: Path) -> None:
    expected = uses_agree(plain, demo_home)
    assert {u.period for u in plain.uses} == {"all"}
    assert {a for _, a in expected} >= {"INGEST", "ACCESS", "DENIED", "DECISION"}


def test_chain_and_log_figures_count_blocks_transactions_events_and_anchors(plain: Evaluation, demo_home: Path) -> None:
    totals_agree(plain, demo_home)
    assert len(plain.activity) == 1


def test_the_models_quality_and_life_and_the_departments_assessment(plain: Evaluation, demo_home: Path) -> None:
    settings = Settings.build(demo_home, None)
    with opened(settings) as chain:
        decided = events(chain, settings, "LoanLedger", "Decided")
        lent = {e["args"]["applicationId"] for e in events(chain, settings, "LoanLedger", "Disbursed")}
        bad = {e["args"]["applicationId"] for e in events(chain, settings, "LoanLedger", "StatusChanged")
               if e["args"]["to"] == LoanStatus.DEFAULTED}
        registry = Counter(e["event"] for name in ("ModelRegistered", "ModelApproved", "ModelRetired")
                           for e in events(chain, settings, "ModelRegistry", name))
    loans = [e for e in decided if e["args"]["applicationId"] in lent]
    q = plain.quality_all
    assert (q.decisions, q.loans, q.defaults) == (len(decided), len(lent), len(bad)) == (4, 3, 1)
    assert q.scored == 3 and q.pd_ppm_sum == sum(e["args"]["pdPpm"] for e in decided)
    assert q.auc == roc_auc_score([int(e["args"]["applicationId"] in bad) for e in loans],
                                  [e["args"]["pdPpm"] for e in loans])
    assert q.psi is None and plain.quality == (q,)
    assert dict(plain.model_events) == {"ModelRegistered": registry["ModelRegistered"],
                                        "ModelApproved": registry["ModelApproved"], "ModelRetired": 0}
    assert [(m.registered, m.approved, m.retired, m.decisions) for m in plain.models] == [("all", "all", None, 4)]
    assert plain.departments == (("all", tuple(departments(open_engine(settings.db_url)))),)


def test_with_a_journal_every_figure_falls_in_the_month_whose_blocks_and_log_events_hold_it(
        monthly: Evaluation, journaled_home: Path) -> None:
    settings = Settings.build(journaled_home, None)
    with opened(settings) as chain:
        first = first_applied(chain, settings)
        head = int(chain.web3.eth.block_number)
        disbursed = sum(e["args"]["amount"] for e in events(chain, settings, "LoanLedger", "Disbursed"))
    engine = open_engine(settings.db_url)
    with engine.connect() as db:
        access = int(db.execute(sa.text("SELECT min(idx) FROM log_events WHERE body LIKE '%\"ACCESS\"%'")).scalar())
        size = int(db.execute(sa.text("SELECT count(*) FROM log_events")).scalar())
        received = int(db.execute(sa.text("SELECT sum(rows_total) FROM catalogue_batches WHERE kind != 'correction' "
                                          "AND event_index < :cut"), {"cut": access}).scalar())
    assert monthly.periods == ("setup", "2024-01", "2024-02") and monthly.run is not None
    assert [(a.period, a.blocks, a.log_events) for a in monthly.activity] == [
        ("setup", first // 2, 10), ("2024-01", first - first // 2, access - 10), ("2024-02", head - first + 1,
                                                                                  size - access)]
    assert [(m.period, m.pipeline.applications, m.book.disbursed) for m in monthly.months] == [
        ("setup", 0, 0), ("2024-01", 0, 0), ("2024-02", 4, disbursed)]
    assert monthly.months[-1].book == monthly.ledger.book
    for period, (start, end) in {"setup": (0, 10), "2024-01": (10, access), "2024-02": (access, None)}.items():
        assert sum(u.events for u in monthly.uses if u.period == period) == sum(
            log_actions(settings, start, end).values())
    assessed = dict(monthly.departments)
    assert sum(a.rows_received for a in assessed["2024-01"]) == received
    assert assessed["2024-02"] == tuple(departments(engine))
    assert [(p, x.count) for p, x in monthly.latency_by_period] == [("setup", 0), ("2024-01", 0), ("2024-02", 4)]
    assert [(q.quarter, q.decisions) for q in monthly.quality] == [("setup", 0), ("2024-Q1", 4)]


def test_the_json_keeps_fen_as_integers_and_ratios_exact(monthly: Evaluation) -> None:
    doc = json.loads(json.dumps(monthly.to_json()))
    assert doc["format"] == "credtrace.pilot-evaluation/1" and doc["periods"] == ["setup", "2024-01", "2024-02"]
    assert doc["ledger"]["totals"]["disbursed"] == monthly.ledger.book.disbursed
    assert isinstance(doc["ledger"]["totals"]["disbursed"], int)
    assert doc["approvalRate"] == {"fraction": "3/4", "bps": 7500}
    assert doc["npl"]["onChain"] is False and doc["npl"]["toleranceBps"] == NPL_TOLERANCE_BPS
    assert doc["model"]["all"]["auc"] == f"{monthly.quality_all.auc:.6f}"
    assert doc["run"] == {"enterprises": 300, "months": 2, "banks": 2, "seed": 1, "start": "2024-01"}
    assert [m["period"] for m in doc["months"]] == ["setup", "2024-01", "2024-02"]


def test_a_journal_changes_which_period_a_figure_falls_in_never_the_figure(plain: Evaluation,
                                                                           monthly: Evaluation) -> None:
    assert (monthly.ledger, monthly.totals, monthly.latency, monthly.quality_all) == (
        plain.ledger, plain.totals, plain.latency, plain.quality_all)
    def summed(found: Evaluation) -> Counter[tuple[str, str]]:
        total: Counter[tuple[str, str]] = Counter()
        for u in found.uses:
            total[(u.role, u.action)] += u.events
        return total

    assert summed(monthly) == summed(plain)


def test_a_reading_that_missed_an_event_a_later_one_restates_is_an_error_naming_the_loan(demo_home: Path) -> None:
    from dataclasses import replace

    from api.evaluation.evaluation import evaluate
    from api.evaluation.readings import read
    from ledger.operating.errors import EventsDisagree

    settings = Settings.build(demo_home, None)
    engine = open_engine(settings.db_url)
    with opened(settings) as chain:
        found = read(settings, chain, engine)
    engine.dispose()
    loans = found.events["LoanLedger"]
    gone = next(i for i, e in enumerate(loans) if e["event"] == "StatusChanged")  # a later move restates it
    missed = replace(found, events={**found.events, "LoanLedger": loans[:gone] + loans[gone + 1:]})
    with pytest.raises(EventsDisagree, match=f"application {loans[gone]['args']['applicationId']} moved from"):
        evaluate(missed)
    assert evaluate(found).ledger.pipeline.applications == sum(e["event"] == "Applied" for e in loans) == 4
