"""``credtrace portal login``: sign in to the financing service portal with a registered key, no password.

The command asks the server for a challenge (or takes the one the login page shows), signs it with the
participant's Ed25519 key (the one registered in ParticipantRegistry) and prints a one-time link; opening
it in a browser binds that browser's session to the participant (``api.http.portal.login``)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.context import AsOption, State, console, keystore, reported

group = typer.Typer(help="The financing service portal: sign in with a registered key.", no_args_is_help=True)
DEFAULT_URL = "http://127.0.0.1:8000"


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="portal")


@group.command("login")
@reported
def login(
    ctx: typer.Context,
    by: AsOption = "bank-a",
    url: Annotated[str, typer.Option("--url", envvar="CREDTRACE_API", help="The server's address.")] = DEFAULT_URL,
    challenge: Annotated[str | None, typer.Option(
        "--challenge", help="Sign the challenge the login page shows instead of asking the server for one.")] = None,
) -> None:
    """Print a one-time link that signs this participant in to the portal (valid two minutes, used once)."""
    from api.client import ApiClient
    from api.http.portal import challenge as signing

    who = keystore(ctx.ensure_object(State).settings()).load(by)
    base = url.rstrip("/")
    if challenge is None:
        with ApiClient(base) as server:
            challenge = str(server.post("/portal/challenge")["challenge"])
    token = signing.token(signing.answer(challenge, who.address, who.signing_key))
    console.print(f"{base}{signing.LINK}{token}", soft_wrap=True, markup=False)
