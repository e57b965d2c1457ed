"""The figures as tables of text for people, shared by the terminal and the HTML page: money in yuan
(``ledger.money.yuan``), ratios as percentages with two decimals. JSON keeps fen and exact ratios.

Each table is a title, headings and rows of strings; the totals are the last row ("all"). Banks are
labelled by ``name`` (an address by default; the command line puts key names in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ledger import money
from ledger.contracts.loan_ledger import MUNICIPAL
from ledger.money import yuan
from ledger.operating.figures import Book, Pipeline, PoolFigures, Report
from ledger.types import Address

Cell = Callable[[Book], str]
PipelineCell = Callable[[Pipeline], str]


@dataclass(frozen=True)
class Table:
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: bool = False
    """Whether the last row is the totals'."""


def percent(bps: int | None) -> str:
    return "—" if bps is None else money.percent(bps)


def _count(get: Callable[[Book], int]) -> Cell:
    return lambda b: f"{get(b):,}"


def _money(get: Callable[[Book], int]) -> Cell:
    return lambda b: yuan(get(b))


PIPELINE: tuple[tuple[str, PipelineCell], ...] = (
    ("applications", lambda p: f"{p.applications:,}"),
    ("approved", lambda p: f"{p.approved:,}"),
    ("declined", lambda p: f"{p.declined:,}"),
)
LENDING: tuple[tuple[str, Cell], ...] = (
    ("loans", _count(lambda b: b.loans)),
    ("disbursed", _money(lambda b: b.disbursed)),
    ("repaid", _money(lambda b: b.repaid_principal)),
    ("outstanding", _money(lambda b: b.outstanding)),
    ("interest", _money(lambda b: b.interest)),
    ("subsidy", _money(lambda b: b.subsidy)),
)
QUALITY: tuple[tuple[str, Cell], ...] = (
    ("overdue", _count(lambda b: b.overdue_loans)),
    ("overdue amount", _money(lambda b: b.overdue)),
    ("in default", _count(lambda b: b.defaulted_loans)),
    ("default amount", _money(lambda b: b.defaulted)),
    ("NPL", _count(lambda b: b.npl_loans)),
    ("NPL amount", _money(lambda b: b.npl)),
    ("NPL ratio", lambda b: percent(b.npl_ratio.bps())),
    ("written off", _money(lambda b: b.written_off)),
)
SHARING: tuple[tuple[str, Cell], ...] = (
    ("defaults", _count(lambda b: b.defaults)),
    ("at default", _money(lambda b: b.defaulted_at_default)),
    ("claimed loss", _money(lambda b: b.loss)),
    ("municipal paid", _money(lambda b: b.municipal_paid)),
    ("district paid", _money(lambda b: b.district_paid)),
    ("pools short", _money(lambda b: b.municipal_shortfall + b.district_shortfall)),
    ("recovered", _money(lambda b: b.recovered)),
    ("returned to pools", _money(lambda b: b.municipal_returned + b.district_returned)),
)


def tables(report: Report, name: Callable[[Address], str] = str) -> list[Table]:
    """By bank, then by district: lending, loan quality, loss sharing; then the pools and the policies."""
    banks = [(name(r.bank), r.pipeline, r.book) for r in report.banks] + [("all", report.pipeline, report.book)]
    districts = [(str(r.district), r.book) for r in report.districts] + [("all", report.book)]
    return [
        _table("Lending by bank (yuan)", "bank", PIPELINE, LENDING, banks),
        _table("Loan quality by bank (yuan)", "bank", (), QUALITY, banks),
        _table("Default and loss sharing by bank (yuan)", "bank", (), SHARING, banks),
        _table("Lending by district (yuan)", "district", (), LENDING, [(d, None, b) for d, b in districts]),
        _table("Loan quality by district (yuan)", "district", (), QUALITY, [(d, None, b) for d, b in districts]),
        _table("Default and loss sharing by district (yuan)", "district", (), SHARING,
               [(d, None, b) for d, b in districts]),
        pools(report.pools),
        policies(report),
    ]


def _table(title: str, who: str, first: tuple[tuple[str, PipelineCell], ...], columns: tuple[tuple[str, Cell], ...],
           rows: Sequence[tuple[str, Pipeline | None, Book]]) -> Table:
    """One row per group, the totals last; ``first`` (pipeline columns) only where every row has one."""
    headings = (who, *(h for h, _ in first), *(h for h, _ in columns))
    return Table(title, headings, tuple(
        (label, *(cell(p) for _, cell in first if p is not None), *(cell(b) for _, cell in columns))
        for label, p, b in rows), totals=True)


def pools(figures: tuple[PoolFigures, ...]) -> Table:
    headings = ("pool", "deposits", "compensation", "subsidies", "returned", "balance", "shortfall")
    return Table("Risk compensation pools (yuan)", headings, tuple(
        ("municipal" if p.pool == MUNICIPAL else f"district {p.pool}",
         *(yuan(v) for v in (p.deposits, p.compensation, p.subsidies, p.returned, p.balance, p.shortfall)))
        for p in figures))


def policies(report: Report) -> Table:
    headings = ("version", "municipal", "district", "bank", "subsidy", "cap per loan", "cap per bank-year")
    return Table("Loss-sharing policies (yuan)", headings, tuple(
        (str(v), *(percent(x) for x in (p.municipal_bps, p.district_bps, p.bank_bps, p.subsidy_bps)),
         yuan(p.loan_cap), yuan(p.bank_year_cap)) for v, p in report.policies))
