"""``credtrace decision``: the signed decision record a bank receives (issue 15), shown and verified.

``show`` reads the records the oracles stored for an application (``oracle.store``), keeps those whose
payload hash is the one decided on chain and joins their signatures into one DSSE envelope
(:func:`oracle.record.combined`). ``verify`` is the bank's own check, needing nothing but the record and the
chain: no platform database, no keys; the LoanLedger's address from ``--loans`` or the deployment file,
everything else from the chain (:mod:`oracle.evidence`), every check named (:mod:`oracle.verify`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.cli.context import DbOption, RpcOption, State, console, opened, reported

if TYPE_CHECKING:
    from api.settings import Settings
    from ledger.chain import Chain
    from oracle.verify import Check

JsonOption = Annotated[bool, typer.Option("--json", help="JSON: the contract's field names, money in fen.")]
group = typer.Typer(help="Signed decision records: show one, verify one against the chain.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="decision")


@group.command("show")
@reported
def show(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(metavar="APPLICATION_ID")],
    as_json: JsonOption = False,
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE",
                                             help="Write the record (the DSSE envelope as JSON) to FILE.")] = None,
    rpc: RpcOption = None,
    db: DbOption = None,
) -> None:
    """The final decision on APPLICATION_ID and its signed record: every stored signature on the payload
    whose SHA-256 the chain decided."""
    from api.cli import loan_args

    number = loan_args.application_id(application_id)
    settings = ctx.ensure_object(State).settings(rpc, db)
    with opened(settings) as chain:
        raw, decided = stored_record(chain, settings, number)
    if out is not None:
        _write(out, raw)
    print_record(raw, decided, as_json)


def stored_record(chain: Chain, settings: Settings, number: int) -> tuple[bytes, str]:
    """(the record, its hash): :func:`api.actions.decisions.stored_record` on this home's chain and database."""
    from api.actions import decisions
    from api.cli.context import database
    from api.cli.loan import loan_ledger

    with database(settings) as engine:
        return decisions.stored_record(loan_ledger(chain, settings), engine, number)


def print_record(raw: bytes, record_hash: str, as_json: bool) -> None:
    from oracle import record

    predicate, signers = record.opened(raw)["predicate"], sorted(record.envelope(raw).signatures)
    if as_json:
        console.print_json(json.dumps({"recordHash": "0x" + record_hash, "signers": signers, **predicate}))
        return
    from api.cli.loan_view import yuan
    from ledger.money import percent

    p = predicate
    console.print(f"application {p['applicationId']}: {p['decision']} by model 0x{p['modelId']}, decided "
                  f"{p['decidedAt']}", soft_wrap=True, markup=False)
    console.print(f"  terms     limit {yuan(p['limit'])} at {percent(p['rateBps'])}, PD {percent(p['pdPpm'], 10**6)}, "
                  f"score {p['score']}", soft_wrap=True, markup=False)
    for reason in p["reasons"]:
        console.print(f"  reason    {reason['code']}: {reason['text']}", soft_wrap=True, markup=False)
    console.print(f"  record    sha256:{record_hash}, signed by {', '.join(signers)}", soft_wrap=True, markup=False)


def _write(path: Path, data: bytes) -> None:
    """All or nothing: a temporary beside ``path``, then renamed over it."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ApiError(f"cannot write {path}: {exc.strerror or exc}") from exc


@group.command("verify")
@reported
def verify(
    ctx: typer.Context,
    record_file: Annotated[Path, typer.Argument(metavar="RECORD.json", help="The record (a DSSE envelope).")],
    rpc: RpcOption = None,
    loans: Annotated[str | None, typer.Option(
        "--loans", metavar="ADDRESS", help="The LoanLedger's address; default: the deployment file's.")] = None,
    proofs: Annotated[Path | None, typer.Option(
        "--proofs", metavar="FILE", help="Witnesses from `credtrace log prove` of the ACCESS events cited.")] = None,
    application: Annotated[int | None, typer.Option(
        "--application", metavar="ID", help="The application the record must be of.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='{"valid", "checks": [{"name", "ok", "detail"}]}')] = False,
) -> None:
    """Check a signed decision record against the chain alone: its signatures against the keys the registry
    held, its hash in the Decided event, the model servable then, the application it names, its terms; with
    --proofs, the ACCESS events it cites in an anchored checkpoint. Exits 1 naming the first check that fails."""
    raw = _read(record_file)
    witnesses = _proofs(proofs) if proofs is not None else None
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain:
        checked(chain, settings, raw, application, loans, witnesses, as_json)


def checked(chain: Chain, settings: Settings, raw: bytes, application: int | None, loans: str | None = None,
            witnesses: list[Any] | None = None, as_json: bool = False) -> None:
    """Verify ``raw`` against ``chain`` and print each check; ApiError (or exit 1 with --json) on a failure."""
    from api.actions.decisions import checks

    found = checks(chain, settings.deployment_path, raw, application, loans, witnesses)
    _report(found, as_json, proved=witnesses is not None)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _proofs(path: Path) -> list[Any]:
    from api.cli.log import _witnesses

    return [document for _, document in _witnesses(path)]


def _report(found: list[Check], as_json: bool, proved: bool) -> None:
    valid = all(c.ok for c in found)
    unchecked = [] if proved else ["access-events"]
    if as_json:
        console.print_json(json.dumps({"valid": valid, "checks": [
            {"name": c.name, "ok": c.ok, "detail": c.detail} for c in found], "unchecked": unchecked}))
        if not valid:
            raise typer.Exit(1)
        return
    for c in found:
        if c.ok:
            console.print(f"ok  {c.name}: {c.detail}", soft_wrap=True, markup=False)
    if not valid:
        raise ApiError(f"the record fails the check {found[-1].name!r}: {found[-1].detail}")
    if unchecked:
        console.print("not checked: access-events (give --proofs FILE, the witnesses `credtrace log prove` prints "
                      "for the events the record cites)", soft_wrap=True, markup=False)
    console.print("valid: the record is the one decided on chain, signed by its oracles", markup=False)
