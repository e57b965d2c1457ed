"""``credtrace audit leak``: whose copy a leaked export is (seeds R7, the leak emergency plan). The work is
:mod:`api.actions.leak`; with ``--api`` the file is posted to a server (``POST /v1/audit/leaks``), signed by
the auditor, and the same lines (or JSON) are printed from its answer. Exit 1 if the file is untraceable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api import ApiError
from api.cli.context import ApiOption, DbOption, RpcOption, State, console, keystore, remote, reported

LeakArg = Annotated[Path, typer.Argument(help="The leaked file: an export, or an excerpt of one (JSON or JSON Lines).")]


def add_to(audit: typer.Typer) -> None:
    audit.command("leak")(leak)


@reported
def leak(ctx: typer.Context, file: LeakArg, as_json: Annotated[bool, typer.Option("--json")] = False,
         rpc: RpcOption = None, db: DbOption = None, api: ApiOption = None,
         by: Annotated[str, typer.Option("--as", help="With --api: the auditor (or regulator) who signs.")]
         = "auditor") -> None:
    """Name the recipient of a leaked export, its OUTPUT event and the event's inclusion proof, checked
    against a root anchored on chain; exit 1 if the file is untraceable."""
    from api.actions.leak import UNTRACEABLE, describe, read

    raw = read(file)
    if api is not None:
        with remote(api, keystore(ctx.ensure_object(State).settings(rpc, db)).load(by)) as client:
            found: dict[str, Any] = client.upload("/v1/audit/leaks", raw, "application/octet-stream", name=str(file))
    else:
        found = _traced(ctx, file, raw, rpc, db)
    if as_json:
        console.print_json(json.dumps(found))
    else:
        for line in describe(found):
            console.print(line, soft_wrap=True, markup=False)
    if not found["traceable"]:
        raise ApiError(UNTRACEABLE.format(path=file))


def _traced(ctx: typer.Context, file: Path, raw: bytes, rpc: str | None, db: str | None) -> dict[str, Any]:
    from api.actions.leak import traced
    from api.cli.log import session, witness_check

    with session(ctx, rpc, db) as (settings, chain, store):
        return traced(str(file), raw, store, witness_check(chain, settings)).to_json()
