"""The ``credtrace`` command. Each sub-module adds the commands of one noun."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli import (
    audit,
    consent,
    data,
    decision,
    demo,
    deploy,
    devnet,
    incident,
    keys,
    ledger,
    loan,
    log,
    model,
    objects,
    oracle,
    participants,
    pilot,
    policy,
    pool,
    portal,
    replay,
    report,
    sanctions,
    serve,
    witness,
)
from api.cli.context import State

app = typer.Typer(
    help="credtrace: traceable SME credit on a permissioned EVM ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            help="State folder (keys, deployment, data). Env: CREDTRACE_HOME.", show_default="./.credtrace"
        ),
    ] = None,
) -> None:
    ctx.obj = State(home)
    # Everything a command creates under the home is the owner's alone (files 0600, folders 0700),
    # what SQLite, the devnet's store and the model reports create too, not only what asks for a mode.
    previous = os.umask(0o077)
    ctx.call_on_close(lambda: os.umask(previous))


keys.add_to(app)
deploy.add_to(app)
participants.add_to(app)
devnet.add_to(app)
log.add_to(app)
data.add_to(app)
consent.add_to(app)
report.add_to(app)
ledger.add_to(app)
model.add_to(app)
sanctions.add_to(app)
witness.add_to(app)
loan.add_to(app)
oracle.add_to(app)
pool.add_to(app)
policy.add_to(app)
decision.add_to(app)
replay.add_to(app)
demo.add_to(app)
audit.add_to(app)
serve.add_to(app)
portal.add_to(app)
incident.add_to(app)
objects.add_to(app)
pilot.add_to(app)


def main() -> None:
    app()
