"""The operating ledger's figures (台账, seeds R2/R10): typed, additive, integer fen.

A group of loans (one bank's, one district's, all of them) has a :class:`Pipeline` (what was asked and
decided; a district has none, as a loan has a district only once disbursed) and a :class:`Book` (what
was lent and what became of it). Both add field by field, so a group's figures are the sum of its
loans' and the totals the sum of the groups'. Pools have their own :class:`PoolFigures`.

Non-performing loans (不良贷款) follow the five-category practice (五级分类: 正常, 关注, 次级, 可疑,
损失), in which a loan classified substandard (次级) or worse is non-performing, and the 2023 rule on
risk classification (商业银行金融资产风险分类办法, CBIRC and PBoC Order 2023 No. 1) classifies any
loan more than 90 days past due as substandard at least. With what the chain knows, a loan is
non-performing when its status is DEFAULTED or COMPENSATED (its bank declared the default), or OVERDUE
with more than :data:`NPL_DAYS` days past due as its bank last reported them. The NPL ratio is the
non-performing loans' outstanding principal over all outstanding principal, kept as an exact
:class:`Ratio` (no ratio while nothing is outstanding).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from math import gcd
from typing import Self

from ledger.contracts.loan_ledger import Policy
from ledger.types import Address

NPL_DAYS = 90
"""Past this many days overdue a loan is substandard or worse, hence non-performing."""
BPS = 10_000


class _Additive:
    """Field-by-field sums of integer dataclasses."""

    def __add__(self, other: Self) -> Self:
        return type(self)(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` exactly; undefined (None) when the denominator is 0."""

    numerator: int
    denominator: int

    def fraction(self) -> str | None:
        """Lowest terms, ``"3/7"``."""
        if self.denominator == 0:
            return None
        g = gcd(self.numerator, self.denominator)
        return f"{self.numerator // g}/{self.denominator // g}"

    def bps(self) -> int | None:
        """Basis points, rounded half up (what people read; the fraction is the exact figure)."""
        if self.denominator == 0:
            return None
        return (2 * BPS * self.numerator + self.denominator) // (2 * self.denominator)


@dataclass(frozen=True)
class Pipeline(_Additive):
    """Applications and their final decisions (a quorum's); applications - approved - declined are pending."""

    applications: int = 0
    approved: int = 0
    declined: int = 0
    approved_limit: int = 0
    """The approved limits, fen."""


@dataclass(frozen=True)
class Book(_Additive):
    """What was lent and what became of it, fen. Stocks (now) and flows (since deployment) are named so."""

    loans: int = 0
    """Loans disbursed (each application is disbursed at most once)."""
    disbursed: int = 0
    repaid_principal: int = 0
    interest: int = 0
    outstanding: int = 0
    """Principal outstanding now, on every loan (written-off loans have none)."""
    overdue_loans: int = 0
    """Loans OVERDUE now, and their outstanding principal."""
    overdue: int = 0
    defaulted_loans: int = 0
    """Loans DEFAULTED or COMPENSATED now, and their outstanding principal."""
    defaulted: int = 0
    defaults: int = 0
    """Loans that ever defaulted, and their outstanding principal when they did."""
    defaulted_at_default: int = 0
    npl_loans: int = 0
    """Non-performing loans now (module docstring), and their outstanding principal."""
    npl: int = 0
    compensated_loans: int = 0
    """Claims paid: the loss claimed, what each pool paid and what each could not."""
    loss: int = 0
    municipal_paid: int = 0
    district_paid: int = 0
    municipal_shortfall: int = 0
    district_shortfall: int = 0
    recovered: int = 0
    """Recoveries after default, and the shares returned to each pool (清偿; only after compensation)."""
    municipal_returned: int = 0
    district_returned: int = 0
    written_off_loans: int = 0
    written_off: int = 0
    subsidy: int = 0
    """Interest subsidy paid by the district (贴息), and what its pool lacked."""
    subsidy_shortfall: int = 0

    @property
    def npl_ratio(self) -> Ratio:
        return Ratio(self.npl, self.outstanding)


@dataclass(frozen=True)
class PoolFigures:
    """One pool (0 municipal, else a district's GB/T 2260 code): deposits + returned = paid + balance."""

    pool: int
    deposits: int = 0
    compensation: int = 0
    subsidies: int = 0
    returned: int = 0
    shortfall: int = 0
    """Owed but not paid for want of balance (compensation and subsidy)."""

    @property
    def paid(self) -> int:
        return self.compensation + self.subsidies

    @property
    def balance(self) -> int:
        return self.deposits + self.returned - self.paid


@dataclass(frozen=True)
class BankRow:
    bank: Address
    pipeline: Pipeline
    book: Book


@dataclass(frozen=True)
class DistrictRow:
    district: int
    book: Book


@dataclass(frozen=True)
class Source:
    """Which events the figures were folded from: a contract on a chain, a block range (inclusive)."""

    chain_id: int
    contract: Address
    from_block: int
    to_block: int


@dataclass(frozen=True)
class Report:
    source: Source
    banks: tuple[BankRow, ...]
    """In the order of their first application."""
    districts: tuple[DistrictRow, ...]
    """By code."""
    pools: tuple[PoolFigures, ...]
    """Every pool money went into, out of or fell short in: the municipal pool first, then the
    districts' by code."""
    policies: tuple[tuple[int, Policy], ...]
    """Every loss-sharing policy version set, in order."""
    pipeline: Pipeline
    book: Book
