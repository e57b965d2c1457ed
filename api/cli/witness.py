"""``credtrace witness``: cosign the operator's checkpoints only when they extend the last one cosigned."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.context import DbOption, RpcOption, State, console, keystore, reported
from api.cli.log import newest_anchored, session, witness_check

if TYPE_CHECKING:
    from api.settings import Settings

group = typer.Typer(help="Witnesses: cosign checkpoints that extend what was cosigned before (C2SP).",
                    no_args_is_help=True)
WitnessOption = Annotated[str, typer.Option("--as", help="Key name of the witness (a regulator or an auditor).")]
StateOption = Annotated[Path | None, typer.Option(
    "--state", help="The witness's own folder for the last note it cosigned; default HOME/witness/NAME.")]


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="witness")


@group.command("cosign")
@reported
def cosign(ctx: typer.Context, by: WitnessOption, state: StateOption = None, rpc: RpcOption = None,
           db: DbOption = None) -> None:
    """Cosign the operator's newest anchored checkpoint if it extends the last one this witness
    cosigned (exit 0); otherwise exit 1 naming both heads."""
    console.print(cosign_newest(ctx.ensure_object(State).settings(rpc, db), ctx, by, state), soft_wrap=True)


@group.command("run")
@reported
def run(ctx: typer.Context, by: WitnessOption, state: StateOption = None, interval: Annotated[
        float, typer.Option(help="Seconds between looks at the log.")] = 5.0, rpc: RpcOption = None,
        db: DbOption = None) -> None:
    """Cosign continuously, every INTERVAL seconds, until Ctrl-C; stop with exit 1 at the first refusal."""
    settings = ctx.ensure_object(State).settings(rpc, db)
    try:
        while True:
            console.print(cosign_newest(settings, ctx, by, state), soft_wrap=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        console.print("stopped")


def cosign_newest(settings: Settings, ctx: typer.Context, by: str, state: Path | None) -> str:
    from ledger.provenance import prover
    from ledger.provenance.checkpoint import cosign as cosign_line
    from ledger.provenance.checkpoint import open_note
    from ledger.provenance.cosigner import WitnessState, check_extends, cosigner_name, describe
    from ledger.provenance.witness import signed_note

    witness = keystore(settings).load(by)
    saved = WitnessState(state or settings.home / "witness" / by)
    with session(ctx, settings.rpc_url, settings.db) as (_, chain, store):
        check, head = witness_check(chain, settings), newest_anchored(store)
        note = signed_note(head, check)
        checkpoint = open_note(note, check.log.origin, check.key(check.anchoring(head.tree_size)))
        last = saved.last(checkpoint.origin)
        grown = last is not None and last.tree_size < checkpoint.tree_size
        check_extends(last, checkpoint,
                      prover.consistency_proof(last.tree_size, checkpoint.tree_size, store) if last and grown else [])
        name = cosigner_name(witness.address)
        line = cosign_line(checkpoint, name, witness.signing_key, int(time.time()))
        store.add_cosignature(checkpoint.tree_size, name, line)
    saved.record(checkpoint.origin, note + line)
    return f"cosigned {describe(checkpoint)} as {name}"
