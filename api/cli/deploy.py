"""``credtrace deploy``: put the contracts on a chain and record where they are."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for
from api.settings import Settings
from ledger.types import Role

if TYPE_CHECKING:
    from ledger.chain import Chain
    from ledger.chain.deployment import Deployment


def add_to(app: typer.Typer) -> None:
    app.command("deploy")(deploy)


@reported
def deploy(
    ctx: typer.Context,
    rpc: RpcOption = None,
    redeploy: Annotated[
        bool, typer.Option(help="Deploy afresh even if a deployment exists (the old file is kept).")
    ] = False,
    regulator: Annotated[list[str] | None, typer.Option(
        help="Key name of a genesis regulator (repeat for more; default: the `regulator` key).")] = None,
) -> None:
    """Deploy the contracts (operator = the `operator` key) and write deployment.json.

    Genesis names the first regulators; every later regulator or auditor is theirs to appoint
    (`credtrace participants appoint`). A live deployment on the same chain is left alone; one
    that no longer matches the chain is refused unless --redeploy is given.
    """
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain:
        deploy_to(chain, settings, redeploy, tuple(regulator or GENESIS_REGULATORS))


GENESIS_REGULATORS = ("regulator",)


def deploy_to(chain: Chain, settings: Settings, redeploy: bool,
              regulators: Sequence[str] = GENESIS_REGULATORS) -> Deployment:
    """The live deployment on ``chain``, deploying (and recording) it when asked or absent."""
    from ledger.chain import deployment
    from ledger.chain.funding import ensure_operator_funds, top_up

    store = keystore(settings)
    operator, genesis = store.load("operator"), [store.load(name) for name in regulators]
    for r in genesis:
        if r.role is not Role.REGULATOR:
            raise ApiError(f"a genesis regulator needs a REGULATOR key; {r.name}'s is {r.role.name}")
    if not _should_deploy(chain, settings, redeploy):
        return deployment.load(settings.deployment_path)
    if ensure_operator_funds(chain, operator.address):
        console.print(f"funded the operator {operator.address} from the node's dev account")
    sender = sender_for(chain, operator)
    result = deployment.deploy(sender, operator.org_id, operator.signing_public_key,
                               [(r.address, r.org_id, r.signing_public_key) for r in genesis])
    for r in genesis:
        top_up(sender, r.address)
    _keep_previous(settings.deployment_path)
    deployment.save(result, settings.deployment_path)
    console.print(f"deployed to {result.endpoint} (chain id {result.chain_id})")
    for name, record in result.contracts.items():
        console.print(f"  {name:<22} {record.address}  block {record.block_number}")
    console.print(f"genesis regulator{'s' * (len(genesis) != 1)}: {', '.join(r.name for r in genesis)}")
    console.print(f"wrote {settings.deployment_path}")
    return result


def _should_deploy(chain: Chain, settings: Settings, redeploy: bool) -> bool:
    from ledger.chain import deployment

    path = settings.deployment_path
    if not path.exists():
        return True
    found = deployment.problems(chain, deployment.load(path))
    if not found and not redeploy:
        console.print(f"already deployed and live on {chain.endpoint} ({path}); nothing to do")
        return False
    if found and not redeploy:
        raise ApiError(
            f"{path} does not match the chain at {chain.endpoint}: {'; '.join(found)}. "
            "Pass --redeploy to deploy afresh (the old file is kept)."
        )
    return True


def _keep_previous(path: Path) -> None:
    """Copy the deployment being replaced aside, only once the new one is deployed: a deploy that
    fails leaves the old file in place, untouched (the new file then replaces it atomically)."""
    if path.exists():
        kept = path.with_name(f"deployment.{time.strftime('%Y%m%dT%H%M%S')}.json")
        shutil.copy2(path, kept)
        console.print(f"kept the previous deployment as {kept}")
