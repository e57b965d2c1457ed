"""The evaluation as JSON. Money is integer fen; counts are integers; a ratio of integers is exact, as
``{"fraction": "3/7", "bps": 4286}`` (lowest terms, and basis points rounded half up; both null when the
denominator is 0) the way ``ledger.operating.document`` writes the NPL ratio; a statistic computed in
floating point (AUC, KS, PSI, the assessment's shares and mean lags) is a decimal string of six places
(``"0.734512"``), never a binary float. Names in camelCase, like the operating ledger's."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ledger.operating import document as ledger
from ledger.operating.figures import Ratio
from ledger.types import camel

if TYPE_CHECKING:
    from api.evaluation.evaluation import Evaluation, Tolerance
    from api.evaluation.latency import Percentiles
    from api.evaluation.quality import Quality
    from ledger.catalogue.assessment import DepartmentAssessment

FORMAT = "credtrace.pilot-evaluation/1"


def to_json(e: Evaluation) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "source": {"chainId": e.chain_id, "head": e.head, "loanLedger": e.loan_ledger},
        "run": None if e.run is None else _camel(asdict(e.run)),
        "periods": list(e.periods),
        "ledger": {**ledger.to_json(e.ledger), "bankNames": {b.bank: e.names.get(b.bank) for b in e.ledger.banks}},
        "approvalRate": ratio(e.approval_rate),
        "npl": npl(e),
        "months": [{"period": m.period, "toBlock": m.to_block, **ledger.pipeline(m.pipeline), **ledger.book(m.book),
                    "pools": [ledger.pool(p) for p in m.pools]} for m in e.months],
        "latencySeconds": {**_percentiles(e.latency),
                           "byPeriod": [{"period": p, **_percentiles(x)} for p, x in e.latency_by_period]},
        "departments": [{"period": p, "assessments": [assessment(a) for a in found]} for p, found in e.departments],
        "model": {"byQuarter": [quality(q) for q in e.quality], "all": quality(e.quality_all),
                  "events": dict(e.model_events),
                  "models": [_camel(asdict(m)) for m in e.models]},
        "dataUse": [_camel(asdict(u)) for u in e.uses],
        "activity": [_camel(asdict(a)) for a in e.activity],
        "totals": {**_camel(asdict(e.totals)), "byContract": dict(e.totals.by_contract)},
    }


def ratio(r: Ratio) -> dict[str, Any]:
    return {"fraction": r.fraction(), "bps": r.bps()}


def decimal(x: float | None) -> str | None:
    return None if x is None or math.isnan(x) else f"{x:.6f}"


def npl(e: Evaluation) -> dict[str, Any]:
    t: Tolerance = e.npl
    return {
        "ratio": ratio(t.ratio), "toleranceBps": t.tolerance_bps, "onChain": t.on_chain,
        "toleranceSource": "a documented constant, api.evaluation.evaluation.NPL_TOLERANCE_BPS: none on chain",
        "within": t.within(),
        "byBank": [{"bank": b.bank, "ratio": ratio(b.book.npl_ratio), "within": t.within(b.book.npl_ratio)}
                   for b in e.ledger.banks],
        "byDistrict": [{"district": d.district, "ratio": ratio(d.book.npl_ratio), "within": t.within(d.book.npl_ratio)}
                       for d in e.ledger.districts],
    }


def quality(q: Quality) -> dict[str, Any]:
    mean = Ratio(q.pd_ppm_sum, q.scored)
    return {"quarter": q.quarter, "decisions": q.decisions, "scored": q.scored, "approved": q.approved,
            "loans": q.loans, "defaults": q.defaults, "pdPpmSum": q.pd_ppm_sum,
            "meanPdPpm": mean.fraction(), "auc": decimal(q.auc), "ks": decimal(q.ks), "psi": decimal(q.psi)}


def assessment(a: DepartmentAssessment) -> dict[str, Any]:
    return {"department": a.department, "timelinessDays": decimal(a.timeliness),
            "completeness": decimal(a.completeness), "accuracy": decimal(a.accuracy),
            "rowsReceived": a.rows_received, "rowsStored": a.rows_stored}


def _percentiles(p: Percentiles) -> dict[str, Any]:
    return _camel(asdict(p))


def _camel(d: dict[str, Any]) -> dict[str, Any]:
    return {camel(k): v for k, v in d.items()}
