"""``credtrace oracle run``: the oracle service (issue 15; ``oracle.service`` says how it decides)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import AsOption, RpcOption, State, console, keystore, opened, reported
from api.settings import Settings

if TYPE_CHECKING:
    from ledger.contracts import ModelRegistry
    from oracle.pipeline import Served

group = typer.Typer(help="The oracle: decides loan applications and signs the decision records.",
                    no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="oracle")


@group.command("run")
@reported
def run(
    ctx: typer.Context,
    follow: Annotated[bool, typer.Option("--follow", help="Keep following new applications.")] = False,
    once: Annotated[bool, typer.Option("--once", help="Decide what is pending now, then exit (the default).")] = False,
    batch: Annotated[int, typer.Option(
        min=1, max=100, help="Decisions per decideBatch transaction (100 fit in a block).")] = 20,
    by: AsOption = "oracle",
    model: Annotated[Path | None, typer.Option(
        help="Folder holding model.json; default: the newest servable model under HOME/models.")] = None,
    purpose: Annotated[str, typer.Option(help="The purpose the consents are granted for.")] = "credit-assessment",
    poll: Annotated[float, typer.Option(
        min=0.05, help="Seconds to wait after a look that found no new application (--follow).")] = 1.0,
    rpc: RpcOption = None,
) -> None:
    """Decide the applications past this oracle's cursor: read through the gate, score, sign, `decide`."""
    from api.cli.model import model_registry
    from api.platform import opened_platform
    from oracle.errors import OracleError
    from oracle.lease import Lease
    from oracle.service import Oracle, Wiring
    from scoring.errors import ScoringError

    if follow and once:
        raise ApiError("give --follow or --once, not both")
    settings = ctx.ensure_object(State).settings(rpc)
    identity = keystore(settings).load(by)
    try:
        with Lease(settings.home / "oracle" / f"{by}.lock"), opened(settings) as chain, \
                opened_platform(settings, chain) as p:
            models = model_registry(chain, settings)
            wiring = Wiring(chain, p.engine, p.gate, p.sequencer, p.loans, p.sanctions, p.consents, models)
            oracle = Oracle(wiring, identity, served_model(settings, models, model), purpose, _say)
            _say(f"{by} serves model {oracle.model.model_id[:16]}…")
            began = time.perf_counter()
            while True:
                handled = oracle.run_pass(batch)
                if not follow:
                    break
                if not handled:  # more may have come while it worked: look again at once
                    time.sleep(poll)
            _say(f"{by} handled {handled} application(s) in {time.perf_counter() - began:.2f} s")
    except (OracleError, ScoringError) as exc:
        raise ApiError(str(exc)) from exc


def served_model(settings: Settings, models: ModelRegistry, given: Path | None) -> Served:
    """The model in ``given``, else the newest (by file time) servable one under HOME/models."""
    from oracle.pipeline import served
    from scoring import artifact

    folders = [given] if given else sorted((settings.home / "models").glob("*/"),
                                           key=lambda f: (f / "model.json").stat().st_mtime if
                                           (f / "model.json").exists() else 0.0, reverse=True)
    for folder in folders:
        path = folder / "model.json"
        if not path.exists():
            continue
        model_id = hashlib.sha256(path.read_bytes()).hexdigest()
        if given or models.is_servable(model_id):
            return served(artifact.read(path), model_id)
    if given:
        raise ApiError(f"{given} holds no model.json")
    raise ApiError(f"no servable model under {settings.home / 'models'}: train, register and approve one, "
                   "or give --model")


def _say(line: str) -> None:
    console.print(line, soft_wrap=True, markup=False)
