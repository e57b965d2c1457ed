"""The evaluation as one self-contained HTML page for a regulator: Simplified Chinese with the English
beside, tables and inline SVG charts, no script, nothing fetched. Presentation only: every number is
the :class:`~api.evaluation.evaluation.Evaluation`'s. Rendered with Jinja2 (autoescaped) from
``templates/evaluation.html`` (package data); bar charts are the portal's (``api.http.portal.charts``),
lines over periods ``api.evaluation.plots``'."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from api.evaluation.plots import Plot, lines
from ledger.contracts.loan_ledger import MUNICIPAL
from ledger.money import percent, yuan
from ledger.operating.figures import Ratio

if TYPE_CHECKING:
    from api.evaluation.evaluation import Evaluation
    from api.http.portal.charts import Chart

TEMPLATES = Path(__file__).parent / "templates"
ROLES = {"OPERATOR": "运营方", "PROVIDER": "数据提供部门", "ENTERPRISE": "企业", "BANK": "银行", "ORACLE": "评价服务",
         "AUDITOR": "审计方", "REGULATOR": "监管方", "UNREGISTERED": "未登记"}


def page(e: Evaluation) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    return env.get_template("evaluation.html").render(
        e=e, name=lambda bank: _name(e, bank), yuan=yuan, ratio=ratio, pct=bps_text, pool=pool_name, roles=ROLES,
        bars=bar_charts(e), plots=plots(e), uses=use_table(e), actions=sorted({u.action for u in e.uses}),
        decimal=lambda x, places=4: "—" if x is None or x != x else f"{x:.{places}f}").lstrip()


def ratio(r: Ratio) -> str:
    return bps_text(r.bps())


def bps_text(bps: int | None) -> str:
    return "—" if bps is None else percent(bps)


def pool_name(code: int) -> str:
    return "市级 municipal" if code == MUNICIPAL else f"区县 district {code}"


def _name(e: Evaluation, bank: str) -> str:
    return e.names.get(bank) or f"{bank[:6]}…{bank[-4:]}"


def _pct(r: Ratio) -> float:
    return (r.bps() or 0) / 100


def bar_charts(e: Evaluation) -> dict[str, Chart]:
    from api.http.portal.charts import bars

    banks = [(_name(e, b.bank), b) for b in e.ledger.banks]
    districts = [(str(d.district), d) for d in e.ledger.districts]
    final = e.departments[-1][1] if e.departments else ()
    roles = sorted({u.role for u in e.uses})
    return {
        "banks": bars("banks", "按银行发放与余额 Disbursed and outstanding by bank (元 yuan)",
                      [(n, [(b.book.disbursed, yuan(b.book.disbursed)), (b.book.outstanding, yuan(b.book.outstanding))])
                       for n, b in banks], ["发放 disbursed", "余额 outstanding"]),
        "districts": bars("districts", "按区县发放 Disbursed by district (元 yuan)",
                          [(n, [(d.book.disbursed, yuan(d.book.disbursed))]) for n, d in districts]),
        "npl": bars("npl", f"不良率 NPL ratio (容忍度 tolerance {bps_text(e.npl.tolerance_bps)})",
                    [("全部 all", [(_pct(e.npl.ratio), ratio(e.npl.ratio))])]
                    + [(n, [(_pct(book.npl_ratio), ratio(book.npl_ratio))])
                       for n, book in [*((n, b.book) for n, b in banks), *((n, d.book) for n, d in districts)]]),
        "pools": bars("pools", "资金池余额 Pool balances (元 yuan)",
                      [(pool_name(p.pool), [(max(p.balance, 0), yuan(p.balance))]) for p in e.ledger.pools]),
        "departments": bars("departments", "数据完整率 Completeness by department (%)",
                            [(a.department, [(100 * a.completeness, f"{a.completeness:.2%}")]) for a in final]),
        "roles": bars("roles", "按角色的日志事件 Log events by role",
                      [(f"{ROLES.get(r, r)} {r}", [(n, f"{n:,}")]) for r in roles
                       for n in [sum(u.events for u in e.uses if u.role == r)]]),
    }


def plots(e: Evaluation) -> dict[str, Plot]:
    months = [m.period for m in e.months]
    pools = sorted({p.pool for m in e.months for p in m.pools})
    quarters = [q.quarter for q in e.quality]
    departments = sorted({a.department for _, found in e.departments for a in found})
    return {
        "lending": lines("lending", "累计发放与余额 Disbursed (cumulative) and outstanding, 万元 10k yuan", months, [
            _money("发放 disbursed", [m.book.disbursed for m in e.months]),
            _money("余额 outstanding", [m.book.outstanding for m in e.months]),
            _money("补偿 compensation", [m.book.municipal_paid + m.book.district_paid for m in e.months])]),
        "npl": lines("npl-months", "月末不良率 NPL ratio at each period's end (%)", months, _npl(e), unit="%"),
        "pools": lines("pools-months", "资金池余额 Pool balances at each period's end, 万元 10k yuan", months, [
            _money(pool_name(code), [next((p.balance for p in m.pools if p.pool == code), 0) for m in e.months])
            for code in pools]),
        "latency": lines("latency", "审批时效 Decision latency (秒 seconds)", [p for p, _ in e.latency_by_period], [
            (name, [getattr(x, field) for _, x in e.latency_by_period],
             [_seconds(getattr(x, field)) for _, x in e.latency_by_period])
            for name, field in (("p50", "p50"), ("p95", "p95"), ("最大 max", "max"))], unit=" s"),
        "model": lines("model", "模型区分度与稳定性 AUC, KS, PSI by quarter", quarters, [
            (name, [getattr(q, field) for q in e.quality],
             ["—" if getattr(q, field) is None else f"{getattr(q, field):.4f}" for q in e.quality])
            for name, field in (("AUC", "auc"), ("KS", "ks"), ("PSI", "psi"))], floor=1.0),
        "departments": lines("departments-months", "数据完整率 Completeness at each period's end (%)",
                             [p for p, _ in e.departments], [
            (d, [next((100 * a.completeness for a in found if a.department == d), None) for _, found in e.departments],
             [next((f"{a.completeness:.2%}" for a in found if a.department == d), "—") for _, found in e.departments])
            for d in departments], unit="%", floor=100.0),
    }


def _npl(e: Evaluation) -> list[tuple[str, list[float | None], list[str]]]:
    """The NPL ratio at each period's end (none while nothing is outstanding), and the tolerance."""
    tolerance = [e.npl.tolerance_bps / 100] * len(e.months)
    return [("不良率 NPL ratio", [None if m.book.npl_ratio.bps() is None else _pct(m.book.npl_ratio) for m in e.months],
             [ratio(m.book.npl_ratio) for m in e.months]),
            ("容忍度 tolerance", list[float | None](tolerance), [bps_text(e.npl.tolerance_bps)] * len(e.months))]


def _money(name: str, fen: Sequence[int]) -> tuple[str, list[float | None], list[str]]:
    return name, [f / 1_000_000 for f in fen], [yuan(f) for f in fen]


def _seconds(value: int | None) -> str:
    return "—" if value is None else f"{value:,} s"


def use_table(e: Evaluation) -> list[tuple[str, str, dict[str, int]]]:
    """(period, role, action → events) rows, in the evaluation's order."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for u in e.uses:
        rows.setdefault((u.period, u.role), {})[u.action] = u.events
    return [(p, r, counts) for (p, r), counts in rows.items()]


