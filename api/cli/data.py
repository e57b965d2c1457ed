"""``credtrace data``: departments push batches; participants read through the gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import ApiOption, AsOption, RpcOption, State, console, keystore, opened, reported
from ledger.catalogue.errors import AccessDenied

if TYPE_CHECKING:
    from ledger.catalogue.ingest import IngestReport
    from ledger.chain import Identity
    from ledger.contracts import ConsentRegistry

group = typer.Typer(help="The data catalogue: ingestion and the access gate.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="data")


DatasetArg = Annotated[str, typer.Argument(help="Dataset: tax, social_security, electricity, …, registration")]
ClaimedOption = Annotated[str | None, typer.Option(
    help="RFC 3339 time the department says it sent the batch: kept beside the platform's own arrival stamp, "
         "never instead of it.")]
SHOWN = 20
"""Rejected rows printed; the rest are counted by reason (all rows stay in the department's file)."""
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl"}


@group.command("ingest")
@reported
def ingest_(ctx: typer.Context, dataset: DatasetArg, file: Path, by: AsOption = "tax-bureau",
            claimed_at: ClaimedOption = None, rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Ingest a CSV (header first) or JSON Lines batch from the department that owns DATASET; bad rows
    are counted and reported, never dropped silently."""
    supply(ctx, dataset, file, by, claimed_at, rpc, correction=False, api=api)


@group.command("correct")
@reported
def correct_(ctx: typer.Context, dataset: DatasetArg, file: Path, by: AsOption = "tax-bureau",
             claimed_at: ClaimedOption = None, rpc: RpcOption = None, api: ApiOption = None) -> None:
    """New versions of rows the department stored before (the old ones are kept; recorded as TRANSFORM)."""
    supply(ctx, dataset, file, by, claimed_at, rpc, correction=True, api=api)


def supply(ctx: typer.Context, dataset: str, file: Path, by: str, claimed_at: str | None, rpc: str | None,
           correction: bool, api: str | None = None) -> None:
    from api.actions.supply import refused_line, stored, supplied
    from api.platform import opened_platform
    from ledger.catalogue.errors import SupplyRefused

    settings = ctx.ensure_object(State).settings(rpc)
    provider = keystore(settings).load(by)
    try:
        stream = file.open("rb")
    except OSError as exc:
        raise ApiError(f"cannot read {file}: {exc.strerror or exc}") from exc
    fmt = "jsonl" if file.suffix == ".jsonl" else "csv"
    if api is not None:
        with stream:
            show(sent(api, provider, dataset, stream.read(), fmt, claimed_at, correction))
        return
    with stream, opened(settings) as chain, opened_platform(settings, chain) as p:
        try:
            report = supplied(p, dataset, stream, fmt, provider.address, claimed_at, correction)
        except SupplyRefused as refused:
            raise ApiError(refused_line(refused)) from refused
        show(report)
        stored(p, report)


def sent(url: str, provider: Identity, dataset: str, body: bytes, fmt: str, claimed_at: str | None,
         correction: bool) -> IngestReport:
    """The batch sent to the server (its answer is the report the command prints); the file's SHA-256 is
    the batch's idempotency key, so running the command again after a lost answer stores nothing twice."""
    import hashlib

    from api.cli.context import remote
    from ledger.catalogue.ingest import IngestReport

    path = f"/v1/datasets/{dataset}/{'corrections' if correction else 'batches'}"
    with remote(url, provider) as client:
        answer = client.upload(path, body, MEDIA_TYPES[fmt], {"Idempotency-Key": hashlib.sha256(body).hexdigest()},
                               claimed_at=claimed_at)
    return IngestReport(**{**answer, "rejected": tuple(map(tuple, answer["rejected"])),
                           "reasons": tuple(map(tuple, answer["reasons"]))})


def show(report: IngestReport) -> None:
    console.print(f"{report.department}: {report.rows_total} rows, {report.stored} stored, "
                  f"{report.rejected_total} rejected; {'TRANSFORM' if report.kind == 'correction' else 'INGEST'} "
                  f"event {report.event_index}; received {report.received_at}"
                  + (f" (claimed {report.claimed_at})" if report.claimed_at else ""), soft_wrap=True)
    for reason, rows in report.reasons:
        console.print(f"  {rows} rows: {reason}", soft_wrap=True)
    for number, reason in report.rejected[:SHOWN]:
        console.print(f"  row {number}: {reason}", soft_wrap=True)
    if report.rejected_total > SHOWN:
        console.print(f"  … {report.rejected_total - SHOWN} more rejected rows, counted above by reason")


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


@group.command("export")
@reported
def export(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Option(help="The enterprise's unified social credit code.")],
    consent: Annotated[str, typer.Option(help="Consent id (0x…) the bank reads under.")],
    to: Annotated[str, typer.Option("--to", help="Who receives the file: a key name or an account (0x…).")],
    out: Annotated[Path, typer.Option(help="The JSON file the recipient receives.")],
    dataset: Annotated[list[str] | None, typer.Option(
        "--dataset", help="Repeat for several; default: every dataset the consent covers.")] = None,
    purpose: Annotated[str, typer.Option(help="Why the data is read; must match the consent.")] = "credit-assessment",
    by: AsOption = "bank-a",
    rpc: RpcOption = None,
) -> None:
    """Read an enterprise's data through the gate and export it to a recipient: every record in the
    file carries the recipient's fingerprint, recorded as OUTPUT, so a leaked copy (or one record of
    it) traces back (`credtrace audit leak`)."""
    from api.platform import now_iso, opened_platform
    from ledger.catalogue.gate import AccessRequest

    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    recipient = to if to.startswith("0x") else store.load(to).address
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        request = AccessRequest(store.load(by).address, enterprise, tuple(dataset or covered(p.consents, consent)),
                                purpose, f"export-{now_iso()}", consent)
        try:
            shown = p.gate.read(request)
        except AccessDenied as refused:
            from api.actions.supply import anchored

            anchored(p.seal_and_anchor, f"the refusal (DENIED, event {refused.event_index}) is recorded")
            raise ApiError(f"access denied: {refused.reason} (recorded as DENIED, event {refused.event_index})") \
                from refused
        from api.actions.supply import anchored

        stamped, index = p.gate.export(request, recipient, {"records": shown.records})
        written = out.with_name(f".{out.name}.partial")
        written.write_text(json.dumps(stamped, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        anchored(p.seal_and_anchor, f"the export is recorded (OUTPUT, event {index}) and left in {written}")
        written.replace(out)
    console.print(f"exported {len(shown.records)} records to {recipient} in {out}: ACCESS event "
                  f"{shown.event_index}, OUTPUT event {index}", soft_wrap=True)


def covered(consents: ConsentRegistry, consent: str) -> list[str]:
    """The datasets a consent's categories cover (none if there is no such consent: the gate says why)."""
    from ledger.catalogue.schema import SCHEMAS
    from ledger.contracts.consent import Category, parse_consent_id
    from ledger.errors import LedgerError

    try:
        found = consents.consent(parse_consent_id(consent))
    except (ValueError, LedgerError):
        found = None
    granted = found.grant.categories if found else Category(0)
    return [name for name, s in SCHEMAS.items() if Category[s.department.upper()] & granted] or ["tax"]
