"""``credtrace demo``: the main job, the credit pilot (:mod:`api.cli.demo_pilot`); ``credtrace demo tour``:
every part of the platform shown step by step on a small world, on the embedded chain (or --rpc).

Run the tour twice and it resumes: same chain, same deployment, the log grows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from api import ApiError
from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for
from api.cli.deploy import deploy_to
from api.cli.keys import ensure_demo_keys, ensure_secrets
from api.cli.participants import table
from ledger.errors import ContractRevert
from ledger.types import Role

if TYPE_CHECKING:
    from api.platform import Platform
    from ledger.chain import Identity


group = typer.Typer(help="The main job: the credit pilot, its evaluation and the portal; `demo tour` walks each part.")


def add_to(app: typer.Typer) -> None:
    group.command("tour")(tour)
    app.add_typer(group, name="demo")


@group.callback(invoke_without_command=True)
@reported
def demo(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """The credit pilot month by month through the platform (`credtrace pilot run` on an embedded default
    size), its evaluation report, then the portal. Run again, it resumes."""
    from api.cli.demo_pilot import pilot_demo

    if ctx.invoked_subcommand is None:
        pilot_demo(ctx.ensure_object(State).settings(rpc))


@reported
def tour(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """Keys, contracts, participants, permissions, the data platform, the model, loans, provenance: step by step."""
    from api.cli.demo_data import data_platform
    from api.cli.demo_loans import known_enterprises, loans_on_chain
    from api.cli.demo_model import credit_model
    from api.cli.demo_replay import replay_and_drill
    from api.cli.demo_serve import offer_portal
    from api.cli.ledger import print_report
    from api.platform import opened_platform
    from ledger.chain import deployment

    settings = ctx.ensure_object(State).settings(rpc)
    console.rule("1. dev-only keys")
    people = {i.name: i for i in ensure_demo_keys(keystore(settings))} | known_enterprises(settings)
    ensure_secrets(settings)
    console.rule("2. deploy")
    with opened(settings) as chain:
        path = settings.deployment_path
        stale = path.exists() and bool(deployment.problems(chain, deployment.load(path)))
        deploy_to(chain, settings, redeploy=stale)
        with opened_platform(settings, chain) as p:
            participants(p, people)
            data_platform(p, people)
            credit_model(p, settings, people)
            loans_on_chain(p, settings, people)
            console.rule("10. the operating ledger (台账), folded from the loan events alone (R2, R10)")
            print_report(chain, settings)
            provenance(p)
        console.print(f"chain: {chain.endpoint}, block {chain.web3.eth.block_number}")
    replay_and_drill(settings)  # once the chain is closed: replay re-executes its blocks from the data folder
    offer_portal(settings, "14. the platform over HTTP: the signed API and the financing service portal (R2)")


def participants(p: Platform, people: dict[str, Identity]) -> None:
    from eth_account import Account

    from ledger.chain.funding import top_up

    console.rule("3. the operator registers the participants (banks join: R8); the regulator appoints the auditor")
    operator, regulator = sender_for(p.chain, p.operator), sender_for(p.chain, people["regulator"])
    for who in people.values():
        if p.registry.is_active(who.address) or who.role in (Role.OPERATOR, Role.REGULATOR):
            continue  # the operator is the deployer, the regulator came with genesis
        if who.role is Role.AUDITOR:  # one regulator: a majority on its own
            p.registry.propose_appointment(regulator, who.address, who.role, who.org_id, who.signing_public_key)
        else:
            p.registry.register(operator, who.address, who.role, p.org_id(who), who.signing_public_key)
        top_up(operator, who.address)
        console.print(f"{'appointed' if who.role is Role.AUDITOR else 'registered'} {who.name:<24} {who.role.name}")
    console.rule("4. permissions are checked on chain")
    _refused("bank-a tries to make itself a regulator", lambda: p.registry.register(
        sender_for(p.chain, people["bank-a"]), people["bank-a"].address, Role.REGULATOR, people["bank-a"].org_id,
        b"\1" * 32))
    puppet = Account.create()  # an account the operator would control
    _refused("the operator tries to register an account of its own as regulator", lambda: p.registry.register(
        operator, puppet.address, Role.REGULATOR, p.operator.org_id, b"\1" * 32))
    p.registry.suspend(regulator, people["bank-b"].address, "LATE_REPORTING")
    still = p.registry.has_role(people["bank-b"].address, Role.BANK)
    console.print(f"a regulator suspends bank-b; bank-b has the BANK role while suspended: {still}")
    p.registry.reinstate(regulator, people["bank-b"].address, "CORRECTED")
    console.print(table(p.registry.participants(), {who.address: n for n, who in people.items()}))


def _refused(attempt: str, act: Callable[[], object]) -> None:
    try:
        act()
    except ContractRevert as refused:
        console.print(f"{attempt} → refused: [red]{refused}[/red]")
        return
    raise ApiError(f"{attempt}: the chain allowed it")


def provenance(p: Platform) -> None:
    from ledger.provenance import RegisteredKeys, verify_log

    console.rule("11. every use of the data is a provenance event, anchored on chain (R5)")
    p.seal_and_anchor()
    head = p.sequencer.store.checkpoints()[-1]
    console.print(f"log sealed at {head.tree_size} events, root {head.root.hex()[:16]}…, anchored in block "
                  f"{head.anchor_block}")
    report = verify_log(p.sequencer.store, p.log, RegisteredKeys(p.registry, p.operator.address))
    console.print(f"log verified from the events up: {report.events} events, {report.anchored} checkpoint"
                  f"{'s' * (report.anchored != 1)} anchored on chain, all consistent")
