"""``credtrace sanctions``: joint punishment (R9) — regulators list and lift enterprises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from api.cli.context import (
    ApiOption,
    AsOption,
    ReasonOption,
    RpcOption,
    State,
    console,
    keystore,
    opened,
    remote,
    reported,
    sender_for,
)

if TYPE_CHECKING:
    from api.actions.oversight import SanctionAct
    from ledger.contracts.sanctions_list import SanctionChange

PATHS = {"sanction": "/v1/sanctions", "lift": "/v1/sanctions/lifts"}
group = typer.Typer(help="The sanctions list (SanctionsList), keyed by enterprise pseudonym.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="sanctions")


@group.command("add")
@reported
def add(ctx: typer.Context, credit_code: str, reason: ReasonOption, by: AsOption = "regulator",
        rpc: RpcOption = None, api: ApiOption = None) -> None:
    """List an enterprise: the gate and the oracle refuse to serve it from now on."""
    _act(ctx, "sanction", credit_code, reason, by, rpc, api)


@group.command("lift")
@reported
def lift(ctx: typer.Context, credit_code: str, reason: ReasonOption, by: AsOption = "regulator",
         rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Lift a sanction."""
    _act(ctx, "lift", credit_code, reason, by, rpc, api)


@group.command("show")
@reported
def show(ctx: typer.Context, credit_code: str, rpc: RpcOption = None) -> None:
    """Whether an enterprise is listed now, and every listing and lift with its time, reason and
    regulator (the chain holds only its pseudonym and the reasons' codes or hashes)."""
    from api.platform import opened_platform
    from ledger.identifiers.uscc import validate

    code = validate(credit_code)
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        changes = p.sanctions.history(p.pseudonymise(code))
        texts = p.reasons.texts(c.reason.digest for c in changes if c.reason.digest)
    listed = bool(changes) and changes[-1].listed
    console.print("listed" if listed else "not listed", soft_wrap=True)
    for change in changes:
        console.print(line(change, texts), soft_wrap=True)


def line(change: SanctionChange, texts: dict[str, str]) -> str:
    from ledger.contracts.reason import decode

    when = datetime.fromtimestamp(change.time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    what = "listed" if change.listed else "lifted"
    return f"  {when} {what} by {change.by} (block {change.block}): {decode(change.reason.raw, texts)}"


def _act(ctx: typer.Context, act: SanctionAct, credit_code: str, why: str, by: str, rpc: str | None,
         api: str | None) -> None:
    from api.actions.oversight import Sanctioned, sanction, sanction_args
    from api.platform import opened_platform

    sanction_args(credit_code, why)  # both checked before any chain is opened
    settings = ctx.ensure_object(State).settings(rpc)
    regulator = keystore(settings).load(by)
    if api is not None:
        with remote(api, regulator) as client:
            answer = client.post(PATHS[act], {"credit_code": credit_code, "reason": why})
        console.print(Sanctioned(answer["listed"], answer["subject"]).line(credit_code))
        return
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        done = sanction(p, sender_for(chain, regulator), act, credit_code, why)
    console.print(done.line(credit_code))
