"""The figures of the pages as people read them, and the charts drawn from them: yuan, percentages,
the regulator's bar charts (:mod:`api.http.portal.charts`) and the auditor's lineage graph. Only
presentation: every number comes folded from the chain (``ledger.operating``) or the catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.http.portal.charts import Chart, bars
from api.http.portal.i18n import translator
from ledger.contracts.loan_ledger import MUNICIPAL
from ledger.money import percent, yuan

if TYPE_CHECKING:
    from api.actions.trace import Trace
    from api.http.portal.views import ModelUse
    from ledger.catalogue.assessment import DepartmentAssessment
    from ledger.operating import Report
    from ledger.operating.figures import Ratio

__all__ = ["charts", "lineage", "money", "percent", "ratio"]


def money(fen: int) -> str:
    return yuan(fen)


def ratio(r: Ratio) -> str:
    bps = r.bps()
    return "—" if bps is None else percent(bps)


def _pct(r: Ratio) -> float:
    bps = r.bps()
    return 0.0 if bps is None else bps / 100


def charts(report: Report, departments: Sequence[DepartmentAssessment], models: Sequence[ModelUse],
           names: Mapping[str, str], language: str) -> list[Chart]:
    """The operating ledger's charts: by bank, by district, the pools, compensation, the departments'
    completeness, and decisions per model."""
    t = translator(language)
    bank = [(names.get(b.bank, b.bank[:10] + "…"), b) for b in report.banks]
    district = [(t("district.name", code=d.district), d) for d in report.districts]
    return [
        bars("applications", t("chart.applications"),
             [(n, [(b.pipeline.applications, str(b.pipeline.applications)),
                   (b.pipeline.approved, str(b.pipeline.approved))]) for n, b in bank],
             [t("series.applications"), t("series.approved")]),
        bars("lending", t("chart.lending"),
             [(n, [(b.book.disbursed, yuan(b.book.disbursed)), (b.book.outstanding, yuan(b.book.outstanding))])
              for n, b in bank], [t("series.disbursed"), t("series.outstanding")]),
        bars("npl-bank", t("chart.npl_bank"),
             [(n, [(_pct(b.book.npl_ratio), ratio(b.book.npl_ratio))]) for n, b in bank]),
        bars("districts", t("chart.districts"),
             [(n, [(d.book.outstanding, yuan(d.book.outstanding))]) for n, d in district]),
        bars("npl-district", t("chart.npl_district"),
             [(n, [(_pct(d.book.npl_ratio), ratio(d.book.npl_ratio))]) for n, d in district]),
        bars("pools", t("chart.pools"),
             [(t("pool.municipal") if p.pool == MUNICIPAL else t("pool.district", code=p.pool),
               [(max(p.balance, 0), yuan(p.balance))]) for p in report.pools]),
        bars("compensation", t("chart.compensation"),
             [(n, [(b.book.municipal_paid + b.book.district_paid, yuan(b.book.municipal_paid + b.book.district_paid))])
              for n, b in bank]),
        bars("departments", t("chart.departments"),
             [(d.department, [(100 * d.completeness, f"{d.completeness:.1%}")]) for d in departments]),
        bars("models", t("chart.models"), [("0x" + m.model_id[:10] + "…", [(m.decisions, str(m.decisions))])
                                           for m in models]),
    ]


@dataclass(frozen=True)
class Node:
    key: str
    x: int
    y: int
    status: str
    label: str
    title: str


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int


STEP, LOG_Y, CHAIN_Y = 64, 50, 130


def lineage(found: Trace) -> Graph:
    """Each entry a node, oldest left: log events on the upper lane, chain events on the lower; an edge
    from a DECISION to each ACCESS it cites (its ``assets``: their leaf hashes)."""
    from ledger.lineage.timeline import LogEntry

    nodes, at = [], {}
    for i, e in enumerate(found.entries):
        x = 30 + i * STEP
        if isinstance(e, LogEntry):
            nodes.append(Node(f"log-{e.index}", x, LOG_Y, e.proof.status, e.action or "?", f"#{e.index} {e.action}"))
            at[e.leaf.removeprefix("0x")] = (x, LOG_Y)
        else:
            nodes.append(Node(f"chain-{e.block}-{e.log_index}", x, CHAIN_Y, "chain", e.name, f"{e.contract}.{e.name}"))
    edges = [Edge(n.x, n.y, *at[h]) for n, e in zip(nodes, found.entries, strict=True)
             if isinstance(e, LogEntry) and e.action == "DECISION"
             for h in (str(v).removeprefix("0x") for v in (e.event or {}).get("assets", [])) if h in at]
    return Graph(tuple(nodes), tuple(edges), max(200, 60 + len(nodes) * STEP), 185)
