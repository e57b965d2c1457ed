"""``credtrace pilot report --report FILE.html``: the pilot's performance evaluation (绩效评价, seeds R10,
R11) of the home's chain, provenance log and database, as a page (FILE.html) and its figures as JSON
(FILE.json beside it); ``pilot run --report`` writes the same after its last month (``api.evaluation.report``).
Works on any home with a deployed platform: per month with the pilot's journal, else one period."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.context import DbOption, RpcOption, State, console, database, opened, reported

if TYPE_CHECKING:
    from api.evaluation.evaluation import Evaluation


@reported
def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--report", metavar="FILE.html",
                                      help="Write the evaluation here as a page; its JSON goes beside it.")],
    rpc: RpcOption = None,
    db: DbOption = None,
) -> None:
    """The pilot's performance evaluation, read from the chain, the log and the database: loans and amounts by
    bank and district, approval rate, NPL against the tolerance, compensation, pools, subsidies, decision
    latency, the departments' assessment, the model's AUC/KS/PSI by quarter, data use by role, chain and log."""
    from api.evaluation.report import json_path, write
    from ledger.chain import deployment

    settings = ctx.ensure_object(State).settings(rpc, db)
    deployment.load(settings.deployment_path)  # a home with nothing deployed says so before the chain opens
    with opened(settings) as chain, database(settings) as engine:
        found = write(settings, chain, engine, out)
    summary(found)
    console.print(f"wrote {out} and {json_path(out)}", soft_wrap=True)


def summary(e: Evaluation) -> None:
    """A few lines of the evaluation for the terminal."""
    from api.evaluation.page import bps_text, ratio
    from ledger.money import yuan

    p, b = e.ledger.pipeline, e.ledger.book
    console.print(f"{len(e.periods)} period(s) {e.periods[0]} … {e.periods[-1]}: {p.applications:,} applications, "
                  f"{p.approved:,} approved ({ratio(e.approval_rate)}), {b.loans:,} loans, {yuan(b.disbursed)} yuan "
                  f"disbursed, NPL {ratio(e.npl.ratio)} against {bps_text(e.npl.tolerance_bps)}, compensation "
                  f"{yuan(b.municipal_paid + b.district_paid)} yuan, decision latency p50 {_seconds(e.latency.p50)}, "
                  f"{e.totals.log_events:,} log events, {e.totals.blocks:,} blocks", soft_wrap=True)


def _seconds(value: int | None) -> str:
    return "—" if value is None else f"{value:,} s"
