"""``credtrace pilot run``: the credit pilot as the main job (issue 18), month by month through the
platform's real paths, then the regulator's replay; ``--resume`` goes on after a crash (:mod:`api.pilot.run`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import DbOption, RpcOption, State, console, reported

if TYPE_CHECKING:
    from api.pilot.summary import Summary
    from api.settings import Settings

group = typer.Typer(help="The credit pilot: a synthetic world driven month by month through the platform.",
                    no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    from api.cli.pilot_report import report

    group.command("report")(report)
    app.add_typer(group, name="pilot")


@group.command("run")
@reported
def run(
    ctx: typer.Context,
    enterprises: Annotated[int, typer.Option(help="Enterprises in the synthetic world.")] = 200,
    months: Annotated[int, typer.Option(help="Months the pilot runs (at least 4).")] = 12,
    banks: Annotated[int, typer.Option(help="Banks taking part (2 to 26; the last exits mid-pilot).")] = 3,
    seed: Annotated[int, typer.Option(help="The world's and the plan's seed.")] = 7,
    rpc: RpcOption = None,
    db: DbOption = None,
    report: Annotated[Path | None, typer.Option(
        "--report", metavar="FILE.html", help="Write the evaluation report there (its JSON beside it).")] = None,
    resume: Annotated[bool, typer.Option(help="Go on with the run begun in this home with these parameters.")] = False,
) -> None:
    """Run the pilot: deliveries, consents, applications, decisions, loan events, oversight, model monitoring,
    sealing, month by month; then replay, which must pass; then a summary (and the report with --report)."""
    from api.pilot.journal import Params
    from api.pilot.run import default_start
    from api.pilot.run import run as drive

    _checked(enterprises, months, banks, seed, report)
    settings = ctx.ensure_object(State).settings(rpc, db)
    params = Params(enterprises, months, banks, seed, default_start())
    found = drive(settings, params, resume, say, bars=console.is_terminal)
    print_summary(found)
    if report is not None:
        write_report(settings, report)


def _checked(enterprises: int, months: int, banks: int, seed: int, report: Path | None) -> None:
    """Bad input as one ``error:`` line before anything is opened."""
    if enterprises < 20:
        raise ApiError(f"--enterprises must be at least 20 (some consent, one is sanctioned), not {enterprises}")
    if not 4 <= months <= 60:
        raise ApiError(f"--months must be 4 to 60, not {months}")
    if not 2 <= banks <= 26:
        raise ApiError(f"--banks must be 2 to 26 (the last exits mid-pilot), not {banks}")
    if seed < 0:
        raise ApiError(f"--seed must not be negative, not {seed}")
    if report is not None:
        from api.evaluation.report import checked

        checked(report)


def write_report(settings: Settings, path: Path) -> None:
    """The evaluation report of the run just made (``credtrace pilot report``), read from the chain and log."""
    from api.cli.context import database, opened
    from api.cli.pilot_report import summary
    from api.evaluation.report import json_path, write

    with opened(settings) as chain, database(settings) as engine:
        summary(write(settings, chain, engine, path))
    console.print(f"report: {path} and {json_path(path)}", soft_wrap=True)


def print_summary(s: Summary) -> None:
    f, p = s.figures, s.params
    console.print(f"pilot of {p.enterprises:,} enterprises x {p.months} months from {p.start}, {p.banks} banks, "
                  f"seed {p.seed}", soft_wrap=True)
    console.print(f"applications {f['applications']:,}: approved {f['approved']:,}, declined {f['declined']:,} "
                  f"(of them the sanctioned enterprise's {f['sanctioned_declines']}); loans disbursed "
                  f"{f['disbursed']:,}, repayments {f['repayments']:,}, defaults {f['defaults']:,}, claims "
                  f"{f['claims']:,}, recoveries {f['recoveries']:,}, closed {f['closed']:,}", soft_wrap=True)
    console.print(f"banks exited {f['banks_exited']}; models approved {f['models_approved']}, retired "
                  f"{f['models_retired']}; log events {f['events']:,}, checkpoints {f['checkpoints']:,}; blocks "
                  f"{f['blocks']:,}; replay {'ok' if s.replay_ok else 'FAILED'}", soft_wrap=True)
    console.print(f"{'generation':<13} {s.seconds['generation']:9.2f} s", soft_wrap=True)
    for stage, t in s.stages.items():
        console.print(f"{stage:<13} {t.seconds:9.2f} s  {t.count:9,} acts  {t.throughput:9.1f}/s", soft_wrap=True)
    console.print(f"{'replay':<13} {s.seconds['replay']:9.2f} s", soft_wrap=True)


def say(line: str) -> None:
    console.print(line, soft_wrap=True, markup=False)
