"""``credtrace sanctions``: joint punishment (R9) — regulators list and lift enterprises."""

from __future__ import annotations

import typer

from api.cli.context import (
    AsOption,
    ReasonOption,
    RpcOption,
    State,
    chain_reason,
    console,
    keystore,
    opened,
    reported,
    sender_for,
)

group = typer.Typer(help="The sanctions list (SanctionsList), keyed by enterprise pseudonym.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="sanctions")


@group.command("add")
@reported
def add(ctx: typer.Context, credit_code: str, reason: ReasonOption, by: AsOption = "regulator",
        rpc: RpcOption = None) -> None:
    """List an enterprise: the gate and the oracle refuse to serve it from now on."""
    _act(ctx, "sanction", credit_code, reason, by, rpc)


@group.command("lift")
@reported
def lift(ctx: typer.Context, credit_code: str, reason: ReasonOption, by: AsOption = "regulator",
         rpc: RpcOption = None) -> None:
    """Lift a sanction."""
    _act(ctx, "lift", credit_code, reason, by, rpc)


@group.command("show")
@reported
def show(ctx: typer.Context, credit_code: str, rpc: RpcOption = None) -> None:
    """Whether an enterprise is listed, since when and why (the chain holds only its pseudonym)."""
    from api.platform import opened_platform
    from ledger.identifiers.uscc import validate

    code = validate(credit_code)
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        record = p.sanctions.sanction_of(p.pseudonymise(code))
    state = "listed" if record.active else "not listed"
    console.print(f"{state}" + (f" since {record.since}: {record.reason} (by {record.by})" if record.since else ""))


def _act(ctx: typer.Context, action: str, credit_code: str, why: str, by: str, rpc: str | None) -> None:
    from api.platform import opened_platform
    from ledger.identifiers.uscc import validate

    code = validate(credit_code)  # both checked before any chain is opened
    chain_reason(why)
    settings = ctx.ensure_object(State).settings(rpc)
    regulator = keystore(settings).load(by)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        subject = p.pseudonymise(code)
        getattr(p.sanctions, action)(sender_for(chain, regulator), subject, why)
        listed = p.sanctions.is_sanctioned(subject)
    console.print(f"{credit_code}: {'listed' if listed else 'not listed'} (pseudonym {subject[:16]}…)")
