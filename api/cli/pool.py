"""``credtrace pool``: the risk compensation pools (LossSharing, seeds R2 and R8) — the municipal pool and
one per district, funded by a regulator's deposits and drawn by compensations and interest subsidies."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli import loan_args as args
from api.cli import loan_view as view
from api.cli.context import ApiOption, RpcOption, State, console, keystore, opened, reported, sender_for
from api.cli.loan import JsonOption, loan_ledger

PoolArgument = Annotated[str, typer.Argument(metavar="POOL", help="'municipal' or a district's six-digit code.")]
RegulatorOption = Annotated[str, typer.Option("--as", help="Key name of the regulator who acts.")]

group = typer.Typer(help="Risk compensation pools: the municipal pool and the districts'.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="pool")


@group.command("fund")
@reported
def fund(ctx: typer.Context, pool: PoolArgument,
         amount: Annotated[str, typer.Option("--amount", metavar="YUAN", help="Yuan deposited.")],
         by: RegulatorOption = "regulator", rpc: RpcOption = None, api: ApiOption = None) -> None:
    """A regulator deposits into a pool; prints the pool after."""
    pool_id, deposit = args.pool(pool), args.fen(amount)
    settings = ctx.ensure_object(State).settings(rpc)
    regulator = keystore(settings).load(by)
    if api is not None:
        from api.cli.context import remote
        from ledger.contracts.loan_ledger import Pool

        with remote(api, regulator) as client:
            after = client.post(f"/v1/pools/{pool.strip().lower()}/deposits", {"amount": deposit})
        console.print(view.pool_line(pool_id, Pool(**{k: v for k, v in after.items() if k != "pool"})),
                      soft_wrap=True)
        return
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        with view.explained(loans):
            loans.fund(sender_for(chain, regulator), pool_id, deposit)
        console.print(view.pool_line(pool_id, loans.pool(pool_id)), soft_wrap=True)


@group.command("show")
@reported
def show(ctx: typer.Context, pool: Annotated[str | None, typer.Argument(
            metavar="[POOL]", help="'municipal' or a district's code; default: every pool funded or lent in.")] = None,
         as_json: JsonOption = False, rpc: RpcOption = None) -> None:
    """A pool's deposits, payments, returns, balance and shortfall (deposits + returned = paid + balance);
    JSON: one object for POOL, else a list."""
    wanted = args.pool(pool) if pool is not None else None
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        ids = [wanted] if wanted is not None else loans.pool_ids()
        found = [(i, loans.pool(i)) for i in ids]
    if as_json:
        shown = [view.pool_json(i, p) for i, p in found]
        console.print_json(json.dumps(shown[0] if wanted is not None else shown))
        return
    for i, p in found:
        console.print(view.pool_line(i, p), soft_wrap=True, markup=False)
