"""``credtrace demo``: the main job end to end on the embedded chain (or --rpc)."""

from __future__ import annotations

import typer

from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for
from api.cli.deploy import deploy_to
from api.cli.keys import ensure_demo_keys
from api.cli.participants import table
from ledger import deployment
from ledger.errors import ContractRevert
from ledger.funding import top_up
from ledger.registry import NAME as REGISTRY
from ledger.registry import ParticipantRegistry
from ledger.types import Role


def add_to(app: typer.Typer) -> None:
    app.command("demo")(demo)


@reported
def demo(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """Keys, deployment, participants, a refused call and a suspension, shown step by step."""
    settings = ctx.ensure_object(State).settings(rpc)
    console.rule("1. dev-only keys")
    people = {i.name: i for i in ensure_demo_keys(keystore(settings))}
    console.rule("2. deploy")
    with opened(settings) as chain:
        path = settings.deployment_path
        stale = path.exists() and bool(deployment.problems(chain, deployment.load(path)))
        dep = deploy_to(chain, settings, redeploy=stale)
        reg = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))
        operator = sender_for(chain, people["operator"])
        console.rule("3. the operator registers the participants (banks join: R8)")
        for who in people.values():
            if not reg.is_active(who.address) and who.role is not Role.OPERATOR:
                reg.register(operator, who.address, who.role, who.org_id, who.signing_public_key)
                top_up(operator, who.address)
                console.print(f"registered {who.name:<20} {who.role.name}")
        console.rule("4. permissions are checked on chain")
        bank = sender_for(chain, people["bank-a"])
        try:
            reg.register(bank, bank.address, Role.REGULATOR, people["bank-a"].org_id, b"\1" * 32)
        except ContractRevert as refused:
            console.print(f"bank-a tries to make itself a regulator → refused: [red]{refused}[/red]")
        console.rule("5. a regulator suspends bank-b, then reinstates it")
        regulator = sender_for(chain, people["regulator"])
        reg.suspend(regulator, people["bank-b"].address, "demo: late loan reporting")
        still = reg.has_role(people["bank-b"].address, Role.BANK)
        console.print(f"bank-b has BANK role while suspended: {still}")
        reg.reinstate(regulator, people["bank-b"].address, "demo: reporting fixed")
        console.rule("6. the registry as the chain has it")
        console.print(table(reg.participants(), {p.address: n for n, p in people.items()}))
        console.print(f"chain: {chain.endpoint}, block {chain.web3.eth.block_number}")
