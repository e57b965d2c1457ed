"""``credtrace replay``: the regulator's command (issue 16). Rebuilds from genesis what the platform derives,
re-runs every decision and verifies the log, then prints a summary and every mismatch (:mod:`api.replay`);
exit 1 if anything does not match. ``--json`` prints the report alone; ``--html FILE`` writes it as a page."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import ApiOption, DbOption, RpcOption, State, console, keystore, opened, remote, reported
from api.settings import Settings

POLL = 0.5
"""Seconds between looks at a server's replay job."""

if TYPE_CHECKING:
    from api.replay.report import Report
    from api.replay.run import Tasks


def add_to(app: typer.Typer) -> None:
    app.command("replay")(replay)


@reported
def replay(
    ctx: typer.Context,
    rpc: RpcOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='{"ok", "blocks", "events", "decisions", "mismatches": [{"step", "where", "what"}]}')] = False,
    html: Annotated[Path | None, typer.Option("--html", metavar="FILE",
                                              help="Also write the report as a self-contained HTML page.")] = None,
    api: ApiOption = None,
    by: Annotated[str, typer.Option("--as", help="With --api: the regulator who starts the replay.")] = "regulator",
) -> None:
    """Replay the ledger from genesis: the chain (re-executed on the embedded devnet), the state rebuilt from
    chain events and the log against the contracts and the platform's tables, every decision re-run, the whole
    log verified. Exits 1 naming each mismatch (step, where, what)."""
    from api.replay.run import replay as run

    settings = ctx.ensure_object(State).settings(rpc, db)
    if api is not None:
        found = _remote(api, settings, by)
    else:
        with _bars(not as_json) as tasks:
            found = run(settings, opened, tasks)
    if html is not None:
        _write(html, found)
    _print(found, as_json)
    if not found.ok and as_json:
        raise typer.Exit(1)
    if not found.ok:
        raise ApiError(found.summary())


def _remote(url: str, settings: Settings, by: str) -> Report:
    """The replay run by the server as a job (``POST /v1/replays``), waited for; its report."""
    from api.replay.report import Report

    with remote(url, keystore(settings).load(by)) as client:
        job = client.post("/v1/replays")
        while job["state"] in ("queued", "running"):
            time.sleep(POLL)
            job = client.get(f"/v1/jobs/{job['id']}")
    if job["state"] != "succeeded":
        problem = job.get("problem") or {}
        raise ApiError(f"the server's replay job {job['id']} {job['state']}: {problem.get('detail', 'no result')}")
    return Report.from_json(job["result"])


@contextmanager
def _bars(shown: bool) -> Iterator[Tasks]:
    from rich.progress import Progress

    from api.replay.run import quiet

    if not shown:
        yield quiet
        return
    with Progress(console=console, transient=True) as bar:
        def task(description: str, total: int | None) -> Callable[[int], None]:
            number = bar.add_task(description, total=total)
            return lambda n: bar.update(number, advance=n)

        yield task


def _print(found: Report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(found.as_json()))
        return
    for m in found.mismatches:
        console.print(f"MISMATCH [{m.step}] {m.where}: {m.what}", soft_wrap=True, markup=False)
    if found.ok:
        console.print(found.summary(), soft_wrap=True, markup=False)


def _write(path: Path, found: Report) -> None:
    """All or nothing: a temporary beside ``path``, then renamed over it."""
    from api.replay.report import page

    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(page(found, "credtrace replay"), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ApiError(f"cannot write {path}: {exc.strerror or exc}") from exc
