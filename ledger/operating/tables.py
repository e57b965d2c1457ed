"""The figures as tables of text for people, shared by the terminal and the HTML page: money in yuan
(``ledger.money.yuan``), ratios as percentages with two decimals. JSON keeps fen and exact ratios.

Each table is a title, headings and rows of strings; the totals are the last row ("all"). Banks are
labelled by ``name`` (an address by default; the command line puts key names in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ledger.contracts.loan_ledger import MUNICIPAL
from ledger.money import yuan
from ledger.operating.figures import Book, Pipeline, PoolFigures, Report
from ledger.types import Address

Cell = Callable[[Pipeline | None, Book], str]


@dataclass(frozen=True)
class Table:
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: bool = False
    """Whether the last row is the totals'."""


def percent(bps: int | None) -> str:
    return "—" if bps is None else f"{bps // 100}.{bps % 100:02d}%"


def _pipe(get: Callable[[Pipeline], int]) -> Cell:
    return lambda p, _: "—" if p is None else f"{get(p):,}"


def _count_amount(count: Callable[[Book], int], amount: Callable[[Book], int]) -> Cell:
    return lambda _, b: f"{count(b):,} · {yuan(amount(b))}"


def _money(get: Callable[[Book], int]) -> Cell:
    return lambda _, b: yuan(get(b))


LENDING: tuple[tuple[str, Cell], ...] = (
    ("applications", _pipe(lambda p: p.applications)),
    ("approved", _pipe(lambda p: p.approved)),
    ("declined", _pipe(lambda p: p.declined)),
    ("loans · disbursed ¥", _count_amount(lambda b: b.loans, lambda b: b.disbursed)),
    ("repaid ¥", _money(lambda b: b.repaid_principal)),
    ("outstanding ¥", _money(lambda b: b.outstanding)),
    ("overdue · ¥", _count_amount(lambda b: b.overdue_loans, lambda b: b.overdue)),
    ("defaulted · ¥", _count_amount(lambda b: b.defaulted_loans, lambda b: b.defaulted)),
    ("NPL · ¥", _count_amount(lambda b: b.npl_loans, lambda b: b.npl)),
    ("NPL ratio", lambda _, b: percent(b.npl_ratio.bps())),
)
LOSSES: tuple[tuple[str, Cell], ...] = (
    ("defaults · at default ¥", _count_amount(lambda b: b.defaults, lambda b: b.defaulted_at_default)),
    ("claims · loss ¥", _count_amount(lambda b: b.compensated_loans, lambda b: b.loss)),
    ("municipal paid ¥", _money(lambda b: b.municipal_paid)),
    ("district paid ¥", _money(lambda b: b.district_paid)),
    ("pools' shortfall ¥", _money(lambda b: b.municipal_shortfall + b.district_shortfall)),
    ("recovered ¥", _money(lambda b: b.recovered)),
    ("returned to pools ¥", _money(lambda b: b.municipal_returned + b.district_returned)),
    ("written off · ¥", _count_amount(lambda b: b.written_off_loans, lambda b: b.written_off)),
    ("interest ¥", _money(lambda b: b.interest)),
    ("subsidy ¥ (short)", lambda _, b: f"{yuan(b.subsidy)} ({yuan(b.subsidy_shortfall)})"),
)


def tables(report: Report, name: Callable[[Address], str] = str) -> list[Table]:
    """Lending and losses by bank, then by district; the pools; the policies."""
    by_bank = [(name(r.bank), r.pipeline, r.book) for r in report.banks]
    by_district = [(str(r.district), None, r.book) for r in report.districts]
    return [
        _grouped("Lending by bank", "bank", LENDING, by_bank, report),
        _grouped("Default and loss sharing by bank", "bank", LOSSES, by_bank, report),
        _grouped("Lending by district", "district", LENDING, by_district, report),
        _grouped("Default and loss sharing by district", "district", LOSSES, by_district, report),
        pools(report.pools),
        policies(report),
    ]


def _grouped(title: str, who: str, columns: tuple[tuple[str, Cell], ...],
             rows: Sequence[tuple[str, Pipeline | None, Book]], report: Report) -> Table:
    everything = [*rows, ("all", report.pipeline, report.book)]
    return Table(title, (who, *(h for h, _ in columns)),
                 tuple((label, *(cell(p, b) for _, cell in columns)) for label, p, b in everything), totals=True)


def pools(figures: tuple[PoolFigures, ...]) -> Table:
    headings = ("pool", "deposits ¥", "compensation ¥", "subsidies ¥", "returned ¥", "balance ¥", "shortfall ¥")
    return Table("Risk compensation pools", headings, tuple(
        ("municipal" if p.pool == MUNICIPAL else f"district {p.pool}",
         *(yuan(v) for v in (p.deposits, p.compensation, p.subsidies, p.returned, p.balance, p.shortfall)))
        for p in figures))


def policies(report: Report) -> Table:
    headings = ("version", "municipal", "district", "bank", "subsidy", "cap per loan ¥", "cap per bank-year ¥")
    return Table("Loss-sharing policies", headings, tuple(
        (str(v), *(percent(x) for x in (p.municipal_bps, p.district_bps, p.bank_bps, p.subsidy_bps)),
         yuan(p.loan_cap), yuan(p.bank_year_cap)) for v, p in report.policies))
