"""``credtrace devnet``: serve the embedded chain over JSON-RPC for other processes and tools."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from api import ApiError
from api.cli.context import State, console, embedded_config, reported


def add_to(app: typer.Typer) -> None:
    app.command("devnet")(devnet)


@reported
def devnet(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option(help="Chain data; default HOME/devnet.")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="JSON-RPC port (0 picks a free one).")] = 8545,
    chain_id: Annotated[int, typer.Option(help="Chain id (fixed at genesis).")] = 1337,
    block_time: Annotated[
        float | None, typer.Option(help="Seal a block every S seconds; default: automine.")
    ] = None,
) -> None:
    """Run the persistent, permissioned devnet until Ctrl-C (state survives kill -9).

    Admitted senders: the operator (genesis allowlist) and every participant active in
    the deployed ParticipantRegistry. Other credtrace commands in the same home join it.
    """
    from devnet import Devnet, DevnetError
    from devnet.config import option_errors
    from ledger.chain import deployment

    if wrong := option_errors(port, chain_id, block_time):  # before the home's devnet folder is made
        raise ApiError("; ".join(wrong))
    settings = ctx.ensure_object(State).settings()
    config = embedded_config(settings, host=host, port=port, chain_id=chain_id, block_time=block_time)
    if data_dir is not None:
        config = type(config)(**{**config.__dict__, "data_dir": data_dir})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        with Devnet(config, deployment.registry_locator(settings.deployment_path)).serving() as url:
            console.print(f"devnet listening on {url} (chain id {config.chain_id}, data {config.data_dir})")
            while not stop.wait(1.0):
                pass
    except DevnetError as exc:
        raise ApiError(str(exc)) from exc
