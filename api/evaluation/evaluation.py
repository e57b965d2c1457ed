"""The pilot's performance evaluation (绩效评价, seeds R10, R11): the figures a municipality reviews,
each folded from what the chain, the provenance log and the platform's database hold, never from the
memory of the run that made them. :func:`gather` reads (``api.evaluation.readings``, the edge) and
:func:`evaluate` folds (pure), composing the folds that already exist rather than restating them:

- loans, amounts, approvals, NPL, compensation, pools, subsidies: the operating ledger
  (``ledger.operating.fold`` over LoanLedger's events), whole, and at the end of each period (the same fold
  over the events before the period's end);
- NPL ratio against :data:`NPL_TOLERANCE_BPS` (below: no tolerance is on chain);
- decision latency (``api.evaluation.latency``); the model's AUC, KS and PSI by quarter and each model's life
  (``api.evaluation.quality``); data use by role and the chain's and log's figures (``api.evaluation.activity``);
- each department's data-aggregation assessment at the end of each month (``ledger.catalogue.assessment``
  on ``api.evaluation.supply``'s counts).

Periods come from the pilot's journal (``api.evaluation.periods``); without one there is one period, ``all``.

**The NPL tolerance is not on chain.** Neither the loss-sharing policy (``LossSharing.Policy``: shares,
caps, windows, subsidy, quorum) nor the product policy (``scoring.policy.Policy``, hashed into each model's
id) has an NPL tolerance: the product's ``max_pd_approve`` (12 %) bounds the risk of a loan at approval,
not the share of the book that goes bad. The notice asks for a higher tolerance (seeds 004: 提高不良贷款
容忍度) without a figure, so the report compares with a documented constant, :data:`NPL_TOLERANCE_BPS`,
and says so in its JSON (``"onChain": false``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.evaluation.activity import Activity, Totals, Use, activity, roles, totals, uses
from api.evaluation.latency import Percentiles, by_period, latencies, percentiles
from api.evaluation.periods import quarter
from api.evaluation.quality import ModelLife, Quality, defaulted, lives, quarters
from api.evaluation.readings import Readings
from api.pilot.journal import Params
from ledger.catalogue.assessment import DepartmentAssessment
from ledger.operating.figures import BPS, Book, Pipeline, PoolFigures, Ratio, Report
from ledger.types import Address

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.settings import Settings
    from ledger.chain import Chain
    from ledger.operating.events import Event as LoanEvent

NPL_TOLERANCE_BPS = 500
"""5 %: the 2019 notice of the CBIRC General Office on small and micro enterprise financial services
(银保监办发 [2019] 48 号) lets banks tolerate an NPL ratio on inclusive small and micro loans up to 3
percentage points above their NPL ratio on all loans; the platform does not know the banks' all-loan
ratios, so it takes 2 % for them (the commercial banks' reported ratio has stayed below it since 2019):
2 % + 3 points. A constant of this report, not a figure on chain."""


@dataclass(frozen=True)
class LedgerAt:
    """The operating ledger's totals and pools as they stood at the end of a period (stocks then; flows
    since deployment)."""

    period: str
    to_block: int
    pipeline: Pipeline
    book: Book
    pools: tuple[PoolFigures, ...]


@dataclass(frozen=True)
class Tolerance:
    ratio: Ratio
    """The NPL ratio of all loans now (non-performing outstanding / outstanding)."""
    tolerance_bps: int
    on_chain: bool

    def within(self, ratio: Ratio | None = None) -> bool | None:
        """Whether ``ratio`` (default: all loans') is at or below the tolerance, exactly; None undefined."""
        r = ratio or self.ratio
        return None if r.denominator == 0 else r.numerator * BPS <= self.tolerance_bps * r.denominator


@dataclass(frozen=True)
class Evaluation:
    chain_id: int
    head: int
    loan_ledger: Address
    run: Params | None
    """The journal's parameters, when a pilot ran in this home."""
    periods: tuple[str, ...]
    ledger: Report
    """The operating ledger now: by bank, by district, the pools, the policies, the totals."""
    months: tuple[LedgerAt, ...]
    npl: Tolerance
    latency: Percentiles
    latency_by_period: tuple[tuple[str, Percentiles], ...]
    departments: tuple[tuple[str, tuple[DepartmentAssessment, ...]], ...]
    quality: tuple[Quality, ...]
    """By quarter of decision."""
    quality_all: Quality
    models: tuple[ModelLife, ...]
    model_events: tuple[tuple[str, int], ...]
    """ModelRegistered, ModelApproved, ModelRetired: how many of each."""
    uses: tuple[Use, ...]
    activity: tuple[Activity, ...]
    totals: Totals
    names: Mapping[str, str]

    @property
    def approval_rate(self) -> Ratio:
        """Approved over decided (final decisions; pending applications left out)."""
        p = self.ledger.pipeline
        return Ratio(p.approved, p.approved + p.declined)

    def to_json(self) -> dict[str, Any]:
        from api.evaluation.document import to_json

        return to_json(self)


def gather(settings: Settings, chain: Chain, engine: Engine) -> Evaluation:
    """Read the chain, the log and the database of the home ``settings`` names, and fold."""
    from api.evaluation.readings import read

    return evaluate(read(settings, chain, engine))


def evaluate(r: Readings) -> Evaluation:
    days = r.calendar
    loans = _decoded(r.events.get("LoanLedger", ()))
    decided = r.named("LoanLedger", "Decided")
    found = latencies(r.named("LoanLedger", "Applied"), decided, r.timestamps)
    disbursed = {int(e["args"]["applicationId"]) for e in r.named("LoanLedger", "Disbursed")}
    bad = defaulted(r.named("LoanLedger", "StatusChanged"))
    labels = tuple(dict.fromkeys(quarter(p) for p in days.labels))
    report = _fold(r, loans, r.head)
    registry = r.events.get("ModelRegistry", ())
    return Evaluation(
        r.chain_id, r.head, r.loan_ledger, r.params, days.labels, report,
        tuple(_at(r, loans, label, r.head if end is None else end - 1) for label, end in days.block_ends()),
        Tolerance(report.book.npl_ratio, NPL_TOLERANCE_BPS, on_chain=False),
        percentiles([x.seconds for x in found]), by_period(found, days.of_block, days.labels), r.assessments,
        quarters(decided, disbursed, bad, lambda b: quarter(days.of_block(b)), labels),
        quarters(decided, disbursed, bad, lambda b: "all", ("all",))[0],
        lives(registry, decided, days.of_block),
        tuple((name, sum(1 for e in registry if e["event"] == name))
              for name in ("ModelRegistered", "ModelApproved", "ModelRetired")),
        uses(r.log, roles(r.events.get("ParticipantRegistry", ())), days.labels),
        activity(r.events, r.transactions, r.log, days.of_block, days.labels),
        totals(r.events, r.transactions, r.log_size, r.checkpoints), r.names)


def _decoded(loans: tuple[Any, ...]) -> list[tuple[int, LoanEvent]]:
    """LoanLedger's events as the operating ledger's records, each with its block, decoded once."""
    from ledger.operating.events import NAMES, decoded

    return [(int(e["blockNumber"]), decoded(e["event"], e["args"])) for e in loans if e["event"] in NAMES]


def _fold(r: Readings, loans: list[tuple[int, LoanEvent]], to_block: int) -> Report:
    """The operating ledger of LoanLedger's events up to ``to_block`` (``ledger.operating``'s own fold)."""
    from ledger.operating.figures import Source
    from ledger.operating.fold import fold

    source = Source(r.chain_id, r.loan_ledger, r.loan_ledger_block, to_block)
    return fold((event for block, event in loans if block <= to_block), source)


def _at(r: Readings, loans: list[tuple[int, LoanEvent]], label: str, to_block: int) -> LedgerAt:
    report = _fold(r, loans, to_block)
    return LedgerAt(label, to_block, report.pipeline, report.book, report.pools)
