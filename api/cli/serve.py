"""``credtrace serve``: the platform over HTTP (FastAPI on uvicorn) and the financing service portal."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.context import DbOption, RpcOption, State, console, reported
from api.settings import Settings


def add_to(app: typer.Typer) -> None:
    app.command("serve")(serve)


@reported
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    rpc: RpcOption = None,
    db: DbOption = None,
) -> None:
    """Serve the API (signed requests, RFC 9421) and the portal until Ctrl-C."""
    run_server(ctx.ensure_object(State).settings(rpc, db), host, port)


def run_server(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from api.http.app import create_app

    console.print(f"credtrace serving http://{host}:{port}  (portal http://{host}:{port}/portal, OpenAPI "
                  f"/openapi.json, docs /docs); sign in: credtrace --home {settings.home} portal login --as bank-a "
                  f"--url http://{host}:{port}; "
                  "Ctrl-C stops it", soft_wrap=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
