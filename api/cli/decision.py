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
from api.cli.context import ApiOption, DbOption, RpcOption, State, console, keystore, opened, reported

if TYPE_CHECKING:
    from api.settings import Settings
    from ledger.chain import Chain, Identity

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
    by: Annotated[str, typer.Option("--as", help="With --api: key name of the bank that asks.")] = "bank-a",
    rpc: RpcOption = None,
    db: DbOption = None,
    api: ApiOption = None,
) -> None:
    """The final decision on APPLICATION_ID and its signed record: every stored signature on the payload
    whose SHA-256 the chain decided."""
    from api.actions import loan_args

    number = loan_args.application_id(application_id)
    settings = ctx.ensure_object(State).settings(rpc, db)
    if api is not None:
        raw, decided = fetched(api, keystore(settings).load(by), number)
    else:
        with opened(settings) as chain:
            raw, decided = stored_record(chain, settings, number)
    if out is not None:
        _write(out, raw)
    print_record(raw, decided, as_json)


def stored_record(chain: Chain, settings: Settings, number: int) -> tuple[bytes, str]:
    """(the record, its hash): the stored signatures on the payload whose SHA-256 the chain decided, joined."""
    from api.actions import decisions
    from api.cli.context import database
    from api.cli.loan import loan_ledger

    with database(settings) as engine:
        return decisions.stored_record(loan_ledger(chain, settings), engine, number)


def fetched(url: str, bank: Identity, number: int) -> tuple[bytes, str]:
    """The record as the server serves it (RFC 8785 JSON, as stored), and its hash."""
    import rfc8785

    from api.cli.context import remote
    from oracle import record

    with remote(url, bank) as client:
        raw = rfc8785.dumps(client.get(f"/v1/applications/{number}/record"))
    return raw, record.record_hash(raw)


def print_record(raw: bytes, record_hash: str, as_json: bool) -> None:
    from api.actions.decisions import summary

    if as_json:
        console.print_json(json.dumps(summary(raw, record_hash)))
        return
    from api.actions.loan_view import yuan
    from ledger.money import percent

    p = summary(raw, record_hash)
    console.print(f"application {p['applicationId']}: {p['decision']} by model 0x{p['modelId']}, decided "
                  f"{p['decidedAt']}", soft_wrap=True, markup=False)
    console.print(f"  terms     limit {yuan(p['limit'])} at {percent(p['rateBps'])}, PD {percent(p['pdPpm'], 10**6)}, "
                  f"score {p['score']}", soft_wrap=True, markup=False)
    for reason in p["reasons"]:
        console.print(f"  reason    {reason['code']}: {reason['text']}", soft_wrap=True, markup=False)
    console.print(f"  record    sha256:{record_hash}, signed by {', '.join(p['signers'])}", soft_wrap=True,
                  markup=False)


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
    by: Annotated[str, typer.Option("--as", help="With --api: key name of the participant who asks.")] = "bank-a",
    api: ApiOption = None,
) -> None:
    """Check a signed decision record against the chain alone: its signatures against the keys the registry
    held, its hash in the Decided event, the model servable then, the application it names, its terms; with
    --proofs, the ACCESS events it cites in an anchored checkpoint. Exits 1 naming the first check that fails."""
    raw = _read(record_file)
    witnesses = _proofs(proofs) if proofs is not None else None
    settings = ctx.ensure_object(State).settings(rpc)
    if api is not None:
        from api.cli.context import remote

        body = {"record": raw.decode("utf-8", "replace"), "application": application, "loans": loans,
                "witnesses": witnesses}
        with remote(api, keystore(settings).load(by)) as client:
            _report(client.post("/v1/records/verify", body), as_json)
        return
    with opened(settings) as chain:
        checked(chain, settings, raw, application, loans, witnesses, as_json)


def checked(chain: Chain, settings: Settings, raw: bytes, application: int | None, loans: str | None = None,
            witnesses: list[Any] | None = None, as_json: bool = False) -> None:
    """Verify ``raw`` against ``chain`` and print each check; ApiError (or exit 1 with --json) on a failure."""
    from api.actions import decisions

    found = decisions.checks(chain, settings.deployment_path, raw, application, loans, witnesses)
    _report(decisions.report(found, proved=witnesses is not None), as_json)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _proofs(path: Path) -> list[Any]:
    from api.cli.log import _witnesses

    return [document for _, document in _witnesses(path)]


def _report(doc: dict[str, Any], as_json: bool) -> None:
    """The checks as ``decision verify`` prints them (``doc``: :func:`api.actions.decisions.report`)."""
    if as_json:
        console.print_json(json.dumps(doc))
        if not doc["valid"]:
            raise typer.Exit(1)
        return
    for c in doc["checks"]:
        if c["ok"]:
            console.print(f"ok  {c['name']}: {c['detail']}", soft_wrap=True, markup=False)
    if not doc["valid"]:
        last = doc["checks"][-1]
        raise ApiError(f"the record fails the check {last['name']!r}: {last['detail']}")
    if doc["unchecked"]:
        console.print("not checked: access-events (give --proofs FILE, the witnesses `credtrace log prove` prints "
                      "for the events the record cites)", soft_wrap=True, markup=False)
    console.print("valid: the record is the one decided on chain, signed by its oracles", markup=False)
