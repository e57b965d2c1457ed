"""``credtrace participants``: list, register, suspend, reinstate and exit participants."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.context import (
    AsOption,
    ReasonOption,
    RpcOption,
    State,
    console,
    keystore,
    opened,
    registry,
    reported,
    sender_for,
)

if TYPE_CHECKING:
    from ledger.contracts import Participant

group = typer.Typer(help="Who may act on the ledger (ParticipantRegistry).", no_args_is_help=True)



def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="participants")


@group.command("list")
@reported
def list_(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """Show every registered participant as the chain has it."""
    settings = ctx.ensure_object(State).settings(rpc)
    names: dict[str, str] = {}
    if settings.keys_dir.exists():
        names = {i.address: i.name for i in keystore(settings).all()}
    with opened(settings) as chain:
        console.print(table(registry(chain, settings).participants(), names))


@group.command("register")
@reported
def register(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(help="Key names to register (`credtrace init`).")],
    by: AsOption = "operator",
    rpc: RpcOption = None,
) -> None:
    """Register participants from their keys (role and organisation come with the key; an
    enterprise's org id on chain is the pseudonym of its credit code)."""
    from api.platform import opened_platform
    from ledger.chain.funding import top_up

    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        operator = sender_for(chain, store.load(by))
        for name in names:
            who = store.load(name)
            p.registry.register(operator, who.address, who.role, p.org_id(who), who.signing_public_key)
            top_up(operator, who.address)
            console.print(f"registered {name} as {who.role.name} ({who.address})")


@group.command("suspend")
@reported
def suspend(
    ctx: typer.Context, name: str, reason: ReasonOption, by: AsOption = "regulator", rpc: RpcOption = None
) -> None:
    """A regulator suspends a participant."""
    _status_change(ctx, "suspend", name, reason, by, rpc)


@group.command("reinstate")
@reported
def reinstate(
    ctx: typer.Context, name: str, reason: ReasonOption, by: AsOption = "regulator", rpc: RpcOption = None
) -> None:
    """A regulator lifts a suspension."""
    _status_change(ctx, "reinstate", name, reason, by, rpc)


@group.command("exit")
@reported
def exit_(
    ctx: typer.Context, name: str, reason: ReasonOption, by: AsOption = "operator", rpc: RpcOption = None
) -> None:
    """A participant leaves for good (the operator, or the participant itself, acts)."""
    _status_change(ctx, "exit", name, reason, by, rpc)


def _status_change(ctx: typer.Context, action: str, name: str, why: str, by: str, rpc: str | None) -> None:
    from api.platform import opened_platform
    from ledger.contracts.reason import encode

    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        p.reasons.keep(encode(why))  # the text off chain first: the chain's hash always has its text
        getattr(p.registry, action)(sender_for(chain, store.load(by)), store.load(name).address, why)
        console.print(f"{name}: {p.registry.participant(store.load(name).address).status.name}")


def table(participants: list[Participant], names: Mapping[str, str]) -> Table:
    out = Table(title="Participants (ParticipantRegistry)")
    for column in ("name", "account", "role", "status", "org id", "Ed25519 key", "since"):
        out.add_column(column, no_wrap=True)
    for p in participants:
        since = datetime.fromtimestamp(p.registered_at, UTC).strftime("%Y-%m-%d")
        out.add_row(
            names.get(p.account, "?"),
            p.account,
            p.role.name,
            p.status.name,
            p.org_id.hex()[:8] + "…",
            p.signing_key.hex()[:8] + "…",
            since,
        )
    return out
