"""The fold's arithmetic on random loan histories (hypothesis): whatever happens to the loans, the totals
are the sum of the banks' and of the districts', principal is conserved (disbursed = repaid + recovered +
written off + outstanding), and the non-performing part never exceeds what is outstanding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger.operating import events as ev
from ledger.operating.figures import Book, Source
from ledger.operating.fold import fold
from ledger.types import Address, LoanStatus

S = LoanStatus
BANKS = [Address("0x" + f"{i:02x}" * 20) for i in (1, 2, 3)]
SOURCE = Source(1, BANKS[0], 0, 0)

Step = tuple[str, int, int]
steps = st.lists(st.tuples(st.sampled_from(["repay", "overdue", "cure", "default", "claim", "recover", "write off"]),
                           st.integers(0, 5), st.integers(1, 400)), max_size=60)
loans = st.lists(st.tuples(st.sampled_from(BANKS), st.sampled_from([500103, 500105, 500106]),
                           st.integers(1, 1_000), st.sampled_from([None, True, False])), min_size=1, max_size=6)


def history(applications: list[tuple[Address, int, int, bool | None]], moves: list[Step]) -> list[ev.Event]:
    """A history the contract could have written: each move applied only where its rules allow it."""
    out: list[ev.Event] = []
    status: dict[int, LoanStatus] = {}
    owed: dict[int, int] = {}
    for app, (bank, district, amount, decision) in enumerate(applications, start=1):
        out += [ev.Applied(app, bank, amount), ev.StatusChanged(app, S.NONE, S.APPLIED)]
        status[app] = S.APPLIED
        if decision is not None:
            status[app] = S.APPROVED if decision else S.DECLINED
            out += [ev.Decided(app, decision, amount if decision else 0), ev.StatusChanged(app, S.APPLIED, status[app])]
        if decision:
            out += [ev.Disbursed(app, bank, amount, district, 1), ev.StatusChanged(app, S.APPROVED, S.DISBURSED)]
            status[app], owed[app] = S.DISBURSED, amount
    for op, index, n in moves:
        app = index % len(applications) + 1
        out += _move(op, app, n, status, owed, applications[app - 1][1])
    return out


def _move(op: str, app: int, n: int, status: dict[int, LoanStatus], owed: dict[int, int],
          district: int) -> list[ev.Event]:
    here, left = status[app], owed.get(app, 0)

    def to(after: LoanStatus) -> ev.Event:
        status[app] = after
        return ev.StatusChanged(app, here, after)

    performing, in_default = here in (S.DISBURSED, S.OVERDUE), here in (S.DEFAULTED, S.COMPENSATED)
    if op == "repay" and performing:
        paid = min(n, left)
        owed[app] = left - paid
        return [ev.Repaid(app, paid, 1, left - paid), ev.Subsidised(app, district, 0, 1)] + (
            [to(S.REPAID)] if paid == left else [])
    if op == "overdue" and performing:
        return [ev.MarkedOverdue(app, n), to(S.OVERDUE)]
    if op == "cure" and here == S.OVERDUE:
        return [ev.MarkedOverdue(app, 0), to(S.DISBURSED)]
    if op == "default" and here == S.OVERDUE:
        return [ev.Defaulted(app, n, left), to(S.DEFAULTED)]
    if op == "claim" and here == S.DEFAULTED:
        empty_pools = ev.Compensated(app, district, left, 0, 0, left * 4 // 10, left * 2 // 10)
        return [empty_pools, to(S.COMPENSATED)]
    if op == "recover" and in_default and left:
        got = min(n, left)
        owed[app] = left - got
        return [ev.Recovered(app, got, 0, 0, left - got)]
    if op == "write off" and in_default and left:
        owed[app] = 0
        return [ev.WrittenOff(app, left), to(S.WRITTEN_OFF)]
    return []


@given(loans, steps)
def test_totals_add_up_and_principal_is_conserved(applications: list[tuple[Address, int, int, bool | None]],
                                                 moves: list[Step]) -> None:
    report = fold(history(applications, moves), SOURCE)
    book = report.book
    assert book == sum((r.book for r in report.banks), Book()) == sum((r.book for r in report.districts), Book())
    assert report.pipeline.applications == len(applications)
    assert book.disbursed == book.repaid_principal + book.recovered + book.written_off + book.outstanding
    assert book.npl <= book.outstanding and book.overdue + book.defaulted <= book.outstanding
    assert book.npl_loans <= book.overdue_loans + book.defaulted_loans <= book.loans
    assert all(p.balance == 0 and p.paid == 0 for p in report.pools)  # nothing funded, nothing paid
    assert sum(p.shortfall for p in report.pools) == book.municipal_shortfall + book.district_shortfall + \
        book.subsidy_shortfall
    ratio = book.npl_ratio.bps()
    assert (ratio is None) == (book.outstanding == 0) and (ratio is None or 0 <= ratio <= 10_000)
