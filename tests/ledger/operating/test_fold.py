"""The operating ledger's fold on hand-made event lists: figures worked out by hand, the NPL rule at
its edges, exact ratios, and events that contradict each other (a missed block range)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from ledger.contracts.loan_ledger import Policy
from ledger.operating import events as ev
from ledger.operating.document import to_json
from ledger.operating.errors import EventsDisagree
from ledger.operating.figures import Book, Pipeline, PoolFigures, Ratio, Source
from ledger.operating.fold import fold
from ledger.operating.page import page
from ledger.types import Address, LoanStatus

S = LoanStatus
A, B = Address("0x" + "aa" * 20), Address("0x" + "bb" * 20)
YUZHONG, JIANGBEI = 500103, 500105
SOURCE = Source(31337, Address("0x" + "cc" * 20), 5, 99)
POLICY = Policy(4_000, 2_000, 4_000, 2_500, 1, 86_400, 86_400, 10**9, 10**10)


def moved(app: int, *path: LoanStatus) -> list[ev.Event]:
    return [ev.StatusChanged(app, before, after) for before, after in pairwise(path)]


def lent(app: int, bank: Address, amount: int, district: int) -> list[ev.Event]:
    """Applied, approved for ``amount``, disbursed in ``district``."""
    return [ev.Applied(app, bank, amount), *moved(app, S.NONE, S.APPLIED), ev.DecisionSubmitted(app, A, 1),
            ev.Decided(app, True, amount), *moved(app, S.APPLIED, S.APPROVED),
            ev.Disbursed(app, bank, amount, district, 1), *moved(app, S.APPROVED, S.DISBURSED)]


def story() -> list[ev.Event]:
    return [
        ev.PolicySet(1, POLICY), ev.PoolFunded(0, 1_000_000, 1_000_000), ev.PoolFunded(YUZHONG, 200_000, 200_000),
        ev.PoolFunded(0, 500, 1_000_500),
        *lent(1, A, 1_000, YUZHONG), ev.Repaid(1, 400, 40, 600), ev.Subsidised(1, YUZHONG, 10, 0),
        ev.MarkedOverdue(1, 120), *moved(1, S.DISBURSED, S.OVERDUE),
        ev.Applied(2, A, 700), *moved(2, S.NONE, S.APPLIED), ev.Decided(2, False, 0), *moved(2, S.APPLIED, S.DECLINED),
        *lent(3, B, 2_000, JIANGBEI), ev.MarkedOverdue(3, 30), *moved(3, S.DISBURSED, S.OVERDUE),
        ev.Defaulted(3, 91, 2_000), *moved(3, S.OVERDUE, S.DEFAULTED),
        ev.Compensated(3, JIANGBEI, 2_000, 800, 0, 0, 400), *moved(3, S.DEFAULTED, S.COMPENSATED),
        ev.Recovered(3, 1_000, 400, 0, 1_000),
        ev.Applied(4, B, 300), *moved(4, S.NONE, S.APPLIED),
        *lent(5, A, 500, JIANGBEI), ev.MarkedOverdue(5, 90), *moved(5, S.DISBURSED, S.OVERDUE),
    ]


def test_a_story_folds_into_the_figures_worked_out_by_hand() -> None:
    report = fold(story(), SOURCE)
    assert [row.bank for row in report.banks] == [A, B]  # in the order of their first application
    bank_a, bank_b = (row.book for row in report.banks)
    assert [row.pipeline for row in report.banks] == [Pipeline(3, 2, 1, 1_500), Pipeline(2, 1, 0, 2_000)]
    # Loan 1 is 120 days overdue (non-performing), loan 5 exactly 90 (not yet).
    assert bank_a == Book(loans=2, disbursed=1_500, repaid_principal=400, interest=40, outstanding=1_100,
                          overdue_loans=2, overdue=1_100, npl_loans=1, npl=600, subsidy=10)
    assert bank_b == Book(loans=1, disbursed=2_000, outstanding=1_000, defaulted_loans=1, defaulted=1_000,
                          defaults=1, defaulted_at_default=2_000, npl_loans=1, npl=1_000, compensated_loans=1,
                          loss=2_000, municipal_paid=800, district_shortfall=400, recovered=1_000,
                          municipal_returned=400)
    assert (bank_a.npl_ratio.fraction(), bank_a.npl_ratio.bps()) == ("6/11", 5_455)
    assert [(r.district, r.book.outstanding, r.book.npl_ratio.fraction()) for r in report.districts] == [
        (YUZHONG, 600, "1/1"), (JIANGBEI, 1_500, "2/3")]
    assert report.book == bank_a + bank_b == sum((r.book for r in report.districts), Book())
    assert (report.book.npl_ratio.fraction(), report.book.npl_ratio.bps()) == ("16/21", 7_619)
    assert report.pipeline == Pipeline(5, 3, 1, 3_500)
    assert report.pools == (PoolFigures(0, deposits=1_000_500, compensation=800, returned=400),
                            PoolFigures(YUZHONG, deposits=200_000, subsidies=10),
                            PoolFigures(JIANGBEI, shortfall=400))
    assert [p.balance for p in report.pools] == [1_000_100, 199_990, 0]
    assert report.policies == ((1, POLICY),) and report.source == SOURCE


def test_written_off_and_fully_recovered_loans_are_no_longer_non_performing() -> None:
    events = [*lent(1, A, 1_000, YUZHONG), ev.MarkedOverdue(1, 200), *moved(1, S.DISBURSED, S.OVERDUE),
              ev.Defaulted(1, 200, 1_000), *moved(1, S.OVERDUE, S.DEFAULTED), ev.Recovered(1, 300, 0, 0, 700),
              ev.WrittenOff(1, 700), *moved(1, S.DEFAULTED, S.WRITTEN_OFF),
              *lent(2, A, 500, YUZHONG), ev.MarkedOverdue(2, 95), *moved(2, S.DISBURSED, S.OVERDUE),
              ev.Defaulted(2, 95, 500), *moved(2, S.OVERDUE, S.DEFAULTED), ev.Recovered(2, 500, 0, 0, 0)]
    book = fold(events, SOURCE).book
    assert (book.outstanding, book.written_off_loans, book.written_off, book.recovered) == (0, 1, 700, 800)
    assert (book.defaults, book.defaulted_at_default, book.defaulted_loans) == (2, 1_500, 1)  # loan 2, recovered
    assert (book.npl_loans, book.npl, book.npl_ratio.fraction(), book.npl_ratio.bps()) == (1, 0, None, None)


def test_an_overdue_loan_cured_back_to_disbursed_is_performing_again() -> None:
    events = [*lent(1, A, 1_000, YUZHONG), ev.MarkedOverdue(1, 120), *moved(1, S.DISBURSED, S.OVERDUE),
              ev.MarkedOverdue(1, 0), *moved(1, S.OVERDUE, S.DISBURSED)]
    book = fold(events, SOURCE).book
    assert (book.overdue_loans, book.npl_loans, book.npl_ratio.fraction()) == (0, 0, "0/1")


def test_nothing_on_chain_is_all_zeros_and_no_ratio() -> None:
    report = fold([], SOURCE)
    assert (report.banks, report.districts, report.pools, report.policies) == ((), (), (), ())
    assert report.book == Book() and report.pipeline == Pipeline()
    doc = to_json(report)
    assert doc["totals"]["nplRatio"] is None and doc["totals"]["nplRatioBps"] is None
    assert doc["source"] == {"chainId": 31337, "contract": SOURCE.contract, "fromBlock": 5, "toBlock": 99}


@pytest.mark.parametrize(("numerator", "denominator", "fraction", "bps"), [
    (1, 3, "1/3", 3_333), (2, 3, "2/3", 6_667), (1, 20_000, "1/20000", 1), (1, 20_001, "1/20001", 0),
    (0, 7, "0/1", 0), (5, 5, "1/1", 10_000), (3, 0, None, None)])
def test_ratios_are_exact_fractions_and_basis_points_rounded_half_up(
        numerator: int, denominator: int, fraction: str | None, bps: int | None) -> None:
    assert (Ratio(numerator, denominator).fraction(), Ratio(numerator, denominator).bps()) == (fraction, bps)


def test_json_keeps_fen_and_the_contracts_names() -> None:
    doc = to_json(fold(story(), SOURCE))
    bank_b = doc["banks"][1]
    assert bank_b["bank"] == B and bank_b["municipalPaid"] == 800 and bank_b["districtShortfall"] == 400
    assert (bank_b["applications"], bank_b["nplRatio"], bank_b["nplRatioBps"]) == (2, "1/1", 10_000)
    assert "applications" not in doc["districts"][0] and doc["districts"][0]["district"] == YUZHONG
    assert doc["pools"][0] == {"pool": 0, "deposits": 1_000_500, "compensation": 800, "subsidies": 0,
                               "returned": 400, "shortfall": 0, "paid": 800, "balance": 1_000_100}
    assert doc["policies"] == [{"version": 1, "municipalBps": 4_000, "districtBps": 2_000, "bankBps": 4_000,
                                "subsidyBps": 2_500, "quorum": 1, "approvalValidity": 86_400,
                                "claimWindow": 86_400, "loanCap": 10**9, "bankYearCap": 10**10}]


def test_the_page_escapes_every_label() -> None:
    html = page(fold(story(), SOURCE), lambda bank: "<script>alert(1)</script>" if bank == A else "b&b")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "b&amp;b" in html
    assert "<h1>Operating ledger" in html and "10,001.00" in html  # the municipal pool's balance, in yuan


@pytest.mark.parametrize(("index", "wrong", "message"), [
    (0, ev.Repaid(7, 1, 0, 0), "application 7 has events but no Applied event"),
    (-1, ev.StatusChanged(5, S.DISBURSED, S.REPAID), "moved from DISBURSED, but its events left it OVERDUE"),
    (-1, ev.Repaid(5, 100, 0, 450), "has 450 fen outstanding after a repayment, its events say 400"),
    (-1, ev.Recovered(3, 10, 0, 0, 1_000), "has 1000 fen outstanding after a recovery, its events say 990"),
    (-1, ev.PoolFunded(0, 1, 1_000_500), "pool 0 holds 1000500 fen after a deposit, its events say 1000101"),
    (-1, ev.Applied(4, A, 1), "application 4 was applied for twice"),
])
def test_events_that_contradict_the_ones_before_them_are_refused(index: int, wrong: ev.Event, message: str) -> None:
    events = story()
    events.insert(len(events) if index == -1 else index, wrong)
    with pytest.raises(EventsDisagree, match=message):
        fold(events, SOURCE)


def test_a_missing_status_change_is_refused_at_the_next_one() -> None:
    events = story()
    missing = events.index(ev.StatusChanged(3, S.OVERDUE, S.DEFAULTED))
    with pytest.raises(EventsDisagree, match="application 3 moved from DEFAULTED, but its events left it OVERDUE"):
        fold(events[:missing] + events[missing + 1:], SOURCE)

