"""``credtrace participants``: list, register, suspend, reinstate and exit participants; regulators
appoint regulators and auditors by majority (``appoint``, ``approve``, ``proposals``)."""

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
    from api.settings import Settings
    from ledger.chain import Chain, Identity
    from ledger.contracts import Participant, ParticipantRegistry
    from ledger.contracts.participant_registry import Proposal

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
    enterprise's org id on chain is the pseudonym of its credit code). Regulators and auditors are
    not the operator's: the regulators appoint them (`participants appoint`)."""
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


@group.command("appoint")
@reported
def appoint(ctx: typer.Context, name: str, by: AsOption = "regulator", rpc: RpcOption = None) -> None:
    """A regulator proposes NAME as regulator or auditor (the role comes with its key); enacted once a
    majority of the active regulators approved (the proposer's approval counts)."""
    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    with opened(settings) as chain:
        reg, who = registry(chain, settings), store.load(name)
        reg.propose_appointment(sender_for(chain, store.load(by)), who.address, who.role, who.org_id,
                                who.signing_public_key)
        _report(chain, settings, reg, who)


@group.command("approve")
@reported
def approve(ctx: typer.Context, name: str, by: AsOption = "regulator", rpc: RpcOption = None) -> None:
    """A regulator approves the open proposal to appoint NAME."""
    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    with opened(settings) as chain:
        reg, who = registry(chain, settings), store.load(name)
        reg.approve_appointment(sender_for(chain, store.load(by)), reg.open_proposal(who.address).id)
        _report(chain, settings, reg, who)


@group.command("proposals")
@reported
def proposals(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """Show every appointment proposal and its approvals (only active regulators' count)."""
    settings = ctx.ensure_object(State).settings(rpc)
    names: dict[str, str] = {}
    if settings.keys_dir.exists():
        names = {i.address: i.name for i in keystore(settings).all()}
    with opened(settings) as chain:
        reg = registry(chain, settings)
        console.print(proposal_table(reg.proposals(), reg.approvals_needed(), names))


def _report(chain: Chain, settings: Settings, reg: ParticipantRegistry, who: Identity) -> None:
    """Say where NAME's appointment stands; once enacted, the operator tops its gas money up."""
    from ledger.chain.funding import top_up

    latest = [p for p in reg.proposals() if p.account == who.address][-1]
    if not latest.enacted:
        console.print(f"{who.name}: proposed as {latest.role.name} (proposal {latest.id}), "
                      f"{latest.approvals} of {reg.approvals_needed()} approvals")
        return
    top_up(sender_for(chain, keystore(settings).load("operator")), who.address)
    console.print(f"{who.name}: appointed {latest.role.name} ({who.address})")


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

    reason = encode(why)  # checked before any chain is opened
    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        with p.reasons.keeping(reason):  # committed with the transaction: the chain's hash has its text
            getattr(p.registry, action)(sender_for(chain, store.load(by)), store.load(name).address, why)
        console.print(f"{name}: {p.registry.participant(store.load(name).address).status.name}")


def proposal_table(found: list[Proposal], needed: int, names: Mapping[str, str]) -> Table:
    out = Table(title=f"Appointments (a majority of the active regulators: {needed})")
    for column in ("id", "name", "account", "role", "proposed by", "approvals", "state"):
        out.add_column(column, no_wrap=True)
    for p in found:
        state = "ENACTED" if p.enacted else "OPEN"
        out.add_row(str(p.id), names.get(p.account, "?"), p.account, p.role.name,
                    names.get(p.proposer, p.proposer), "-" if p.enacted else f"{p.approvals}/{needed}", state)
    return out


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
