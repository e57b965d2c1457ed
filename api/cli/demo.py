"""``credtrace demo``: the main job end to end on the embedded chain (or --rpc)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import typer

from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for
from api.cli.deploy import deploy_to
from api.cli.keys import ensure_demo_keys
from api.cli.log import clock_ms
from api.cli.participants import table
from api.settings import Settings
from ledger import deployment
from ledger.anchor import NAME as LOG_CONTRACT
from ledger.anchor import ProvenanceLog
from ledger.audit import verify_log
from ledger.chain import Chain
from ledger.deployment import Deployment
from ledger.errors import ContractRevert
from ledger.event import Event
from ledger.funding import top_up
from ledger.identity import Identity
from ledger.logstore import LogStore, open_engine
from ledger.registry import NAME as REGISTRY
from ledger.registry import ParticipantRegistry
from ledger.sequencer import AnchorTarget, Sequencer
from ledger.types import Role
from ledger.witness import check, prove


def add_to(app: typer.Typer) -> None:
    app.command("demo")(demo)


@reported
def demo(ctx: typer.Context, rpc: RpcOption = None) -> None:
    """Keys, deployment, participants, a refused call, a suspension, provenance: step by step."""
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
        console.rule("7. every use of enterprise data is a provenance event, anchored on chain (R5)")
        _provenance(chain, settings, dep, people)
        console.print(f"chain: {chain.endpoint}, block {chain.web3.eth.block_number}")


def _provenance(chain: Chain, settings: Settings, dep: Deployment, people: dict[str, Identity]) -> None:
    engine = open_engine(settings.db_url)
    store, log = LogStore(engine), ProvenanceLog(deployment.contract(chain, dep, LOG_CONTRACT))
    operator = people["operator"]
    sequencer = Sequencer(store, operator.signing_key, clock_ms,
                          AnchorTarget(log, sender_for(chain, operator)))
    sequencer.catch_up()
    indices = sequencer.append(_demo_events(people))
    sequencer.seal()
    head = sequencer.anchor()
    assert head is not None
    console.print(f"appended events {indices.start}…{indices.stop - 1}; tree size {head.tree_size} "
                  f"anchored in block {head.anchor_block}")
    witness = prove(store, str(indices.start + 1), log)
    check(witness, log)
    console.print(f"bank-a's ACCESS (event {witness['event_id']}) proven against the anchored root "
                  f"with {len(witness['inclusion']['hashes'])} hashes; checked against the chain alone")
    report = verify_log(store, operator.signing_public_key, log)
    console.print(f"log verified: {report.events} events, {report.anchored} checkpoints anchored on chain")
    engine.dispose()


def _demo_events(people: dict[str, Identity]) -> list[Event]:
    now = datetime.now(UTC).isoformat()
    enterprise = hashlib.sha256(b"demo pseudonym/" + people["enterprise-1"].org_id).hexdigest()
    batch = hashlib.sha256(f"tax invoices, batch of {now}".encode()).hexdigest()
    common = {"subject": enterprise, "assets": [batch], "consent": None, "time": now}
    docs = [
        {**common, "action": "INGEST", "actor": people["tax-bureau"].address, "subject": None,
         "purpose": "departmental-supply", "request_id": f"ingest-{now}"},
        {**common, "action": "ACCESS", "actor": people["bank-a"].address, "purpose": "credit-assessment",
         "request_id": f"access-{now}"},
        {**common, "action": "DENIED", "actor": people["bank-b"].address, "purpose": "credit-assessment",
         "request_id": f"denied-{now}", "reason": "no consent from the enterprise"},
    ]
    return [Event.from_json(d) for d in docs]
