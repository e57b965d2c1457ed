"""``credtrace audit trace``: one enterprise, dataset, asset or application followed through the provenance
log and the chain (seeds R5), every event proved against a root anchored on chain. The work is in
``api.cli.audit_trace`` and the pure part in ``ledger.lineage``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import ApiOption, DbOption, RpcOption, State, reported


def add_to(group: typer.Typer) -> None:
    group.command("trace")(trace)


@reported
def trace(
    ctx: typer.Context,
    enterprise: Annotated[str | None, typer.Option(
        "--enterprise", metavar="CREDIT_CODE", help="An enterprise by credit code (shown by pseudonym).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", metavar="NAME", help="A dataset: tax, courts, ….")] = None,
    asset: Annotated[str | None, typer.Option("--asset", metavar="SHA256", help="An asset by its SHA-256.")] = None,
    application: Annotated[str | None, typer.Option("--application", metavar="ID", help="A loan application.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The timeline as JSON, each event with its witness.")] = False,
    fmt: Annotated[str | None, typer.Option(
        "--format", metavar="prov-json|prov-o|openlineage", help="Export the lineage instead.")] = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", help="Write the output to FILE.")] = None,
    rpc: RpcOption = None,
    db: DbOption = None,
    api: ApiOption = None,
    by: Annotated[str, typer.Option("--as", help="With --api: the auditor (or regulator) who signs.")] = "auditor",
) -> None:
    """Every provenance event about the target and the chain events that go with it, oldest first, each
    event proved against a root anchored on chain. Exit 1 if any proof fails (a tampered event)."""
    from api.cli import audit_trace

    kind = audit_trace.output_kind(as_json, fmt)
    target = audit_trace.asked(enterprise, dataset, asset, application)
    settings = ctx.ensure_object(State).settings(rpc, db)
    if api is not None:
        audit_trace.run_remote(api, settings, by, target, kind, out)
    else:
        audit_trace.run(settings, target, kind, out)
