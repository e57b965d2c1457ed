"""``credtrace ledger report``: the operating ledger (台账, seeds R2/R10), folded from LoanLedger's
events alone (``ledger.operating``), for people (tables), programs (``--json``) and a browser (``--html``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api import ApiError
from api.cli.context import RpcOption, State, console, keystore, opened, reported
from api.settings import Settings

if TYPE_CHECKING:
    from ledger.chain import Chain
    from ledger.operating import Report
    from ledger.operating.tables import Table as TextTable

group = typer.Typer(help="The operating ledger, from the chain's loan events.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="ledger")


@group.command("report")
@reported
def report(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as JSON: fen, exact ratios.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML page here.")] = None,
    rpc: RpcOption = None,
) -> None:
    """Per bank and per district: applications, approvals, disbursed and outstanding, overdue, defaults,
    the NPL ratio, compensation from each pool, recoveries, subsidies; the pools; totals. Every figure is
    folded from LoanLedger's events (eth_getLogs), none read from its view functions."""
    from ledger.operating.document import to_json
    from ledger.operating.page import page

    if html is not None and not html.parent.is_dir():
        raise ApiError(f"no folder {html.parent} to write the HTML page in")
    settings = ctx.ensure_object(State).settings(rpc)
    figures = folded(settings)
    names = _names(settings)
    if html is not None:
        from api.key_archive import write_private

        write_private(html, page(figures, lambda bank: names.get(bank, bank)).encode())
    if as_json:
        print(json.dumps(to_json(figures), ensure_ascii=False, indent=2))
        return
    _print(figures, names)
    if html is not None:
        console.print(f"wrote {html}", soft_wrap=True)


def folded(settings: Settings) -> Report:
    """Read the deployed LoanLedger's events and fold them; the deployment is read before the chain
    is opened, so a home with nothing deployed says so."""
    from ledger.chain import deployment

    deployment.load(settings.deployment_path)
    with opened(settings) as chain:
        return folded_on(chain, settings)


def folded_on(chain: Chain, settings: Settings) -> Report:
    """The same on a chain already open (the demo's)."""
    from api.actions.ledger import folded_on as fold_on

    return fold_on(chain, settings)


def print_report(chain: Chain, settings: Settings) -> None:
    """The tables, banks by key name: what ``ledger report`` prints."""
    _print(folded_on(chain, settings), _names(settings))


def _names(settings: Settings) -> dict[str, str]:
    """Key names by address, to label banks; none if the home has no readable keys."""
    from ledger.errors import LedgerError

    try:
        return {who.address: who.name for who in keystore(settings).all()}
    except LedgerError:
        return {}


def _short(address: str) -> str:
    """``0x78D6…0806``: enough to tell banks apart in a terminal; the page and JSON keep it whole."""
    return f"{address[:6]}…{address[-4:]}"


def _print(figures: Report, names: dict[str, str]) -> None:
    from ledger.operating.tables import tables

    s = figures.source
    console.print(f"Operating ledger from LoanLedger {s.contract}, chain {s.chain_id}, blocks {s.from_block} to "
                  f"{s.to_block}; money in yuan", soft_wrap=True)
    for t in tables(figures, lambda bank: names.get(bank) or _short(bank)):
        console.print(_rich(t))


def _rich(t: TextTable) -> Table:
    out = Table(title=t.title, title_justify="left")
    for i, heading in enumerate(t.headings):
        out.add_column(heading, justify="left" if i == 0 else "right")
    for i, row in enumerate(t.rows):
        out.add_row(*row, end_section=t.totals and i == len(t.rows) - 2)
    return out
