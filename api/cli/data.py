"""``credtrace data``: departments push batches; participants read through the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import AsOption, RpcOption, State, console, keystore, opened, reported
from ledger.catalogue.errors import AccessDenied

if TYPE_CHECKING:
    from ledger.catalogue.ingest import IngestReport

group = typer.Typer(help="The data catalogue: ingestion and the access gate.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="data")


@group.command("ingest")
@reported
def ingest_(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset: tax, social_security, electricity, …, registration")],
    file: Path,
    by: AsOption = "tax-bureau",
    received_at: Annotated[str | None, typer.Option(help="RFC 3339 arrival time; default now.")] = None,
    rpc: RpcOption = None,
) -> None:
    """Ingest a CSV (header first) or JSON Lines batch; bad rows are reported, never dropped."""
    from api.platform import now_iso, opened_platform
    from ledger.catalogue.ingest import ingest, parse_rows

    settings = ctx.ensure_object(State).settings(rpc)
    try:  # utf-8-sig: a spreadsheet's byte-order mark is not part of the first column's name
        rows = parse_rows(file.read_text(encoding="utf-8-sig"), "jsonl" if file.suffix == ".jsonl" else "csv")
    except UnicodeDecodeError as exc:
        raise ApiError(f"{file} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise ApiError(f"cannot read {file}: {exc}") from exc
    provider = keystore(settings).load(by)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        report = ingest(p.ingestion, dataset, rows, provider.address, received_at or now_iso())
        p.seal_and_anchor()
    show(report)


def show(report: IngestReport) -> None:
    console.print(f"{report.department}: {report.rows_total} rows, {report.stored} stored, "
                  f"{len(report.rejected)} rejected; INGEST event {report.event_index}")
    for number, reason in report.rejected:
        console.print(f"  row {number}: {reason}", soft_wrap=True)


@group.command("read")
@reported
def read(
    ctx: typer.Context,
    credit_code: str,
    dataset: Annotated[list[str], typer.Option("--dataset", help="Repeat for several datasets.")],
    purpose: Annotated[str, typer.Option(help="Why the data is read; must match the consent.")],
    consent: Annotated[str | None, typer.Option(help="Consent id (0x…), for banks and the oracle.")] = None,
    by: AsOption = "bank-a",
    for_bank: Annotated[str | None, typer.Option("--for", help="Key name of the bank an oracle reads for.")] = None,
    rpc: RpcOption = None,
) -> None:
    """Read an enterprise's data through the access gate; a refusal exits 1 with its reason."""
    from api.platform import now_iso, opened_platform
    from ledger.catalogue.gate import AccessRequest

    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    request = AccessRequest(store.load(by).address, credit_code, tuple(dataset), purpose, f"cli-{now_iso()}",
                            consent, store.load(for_bank).address if for_bank else None)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        try:
            shown = p.gate.read(request)
        except AccessDenied as refused:
            p.seal_and_anchor()
            why = f"access denied: {refused.reason} (recorded as DENIED, event {refused.event_index})"
            raise ApiError(why) from refused
        p.seal_and_anchor()
    console.print_json(json.dumps({"records": shown.records, "access_event": shown.event_index}, ensure_ascii=False))
