"""``credtrace log``: append events, prove some, check a witness, verify the whole provenance log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.cli.context import (
    ApiOption,
    DbOption,
    RpcOption,
    State,
    console,
    database,
    keystore,
    opened,
    registry,
    remote,
    reported,
    sender_for,
)
from api.settings import Settings
from ledger.errors import VerificationError

if TYPE_CHECKING:
    from api.cli.event_file import EventFile
    from ledger.chain import Chain
    from ledger.contracts import ProvenanceLog
    from ledger.provenance import LogStore, Sequencer
    from ledger.provenance.store import StoredCheckpoint
    from ledger.provenance.witness import WitnessCheck

AgainstOption = Annotated[list[Path] | None, typer.Option(
    "--against", help="A checkpoint note someone kept (a witness's saved state); repeatable.")]
WitnessesOption = Annotated[int, typer.Option(
    "--witnesses", envvar="CREDTRACE_WITNESSES", min=0,
    help="Policy: valid cosignatures by active regulators or auditors a checkpoint needs to count.")]
group = typer.Typer(help="The provenance log: RFC 9162 Merkle log anchored on chain.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="log")


def clock_ms() -> int:
    return time.time_ns() // 1_000_000


@contextmanager
def session(ctx: typer.Context, rpc: str | None, db: str | None) -> Iterator[tuple[Settings, Chain, LogStore]]:
    settings = ctx.ensure_object(State).settings(rpc, db)
    with _store(settings) as store, opened(settings) as chain:
        yield settings, chain, store


@contextmanager
def _store(settings: Settings) -> Iterator[LogStore]:
    from ledger.provenance import LogStore

    with database(settings) as engine:
        yield LogStore(engine)


def _log_contract(chain: Chain, settings: Settings) -> ProvenanceLog:
    from api.actions.proofs import log_contract

    return log_contract(chain, settings)


@group.command("append")
@reported
def append(ctx: typer.Context, file: Path, rpc: RpcOption = None, db: DbOption = None,
           key: Annotated[str | None, typer.Option(
               help="Idempotency key of the batch; default: the SHA-256 of FILE's bytes.")] = None) -> None:
    """Append the events of FILE (JSON Lines), then seal and anchor them. All or nothing, and once:
    appending the same batch again (a retry after a crash, the same file twice) adds nothing."""
    from api.cli.event_file import EventFile
    from ledger.provenance import AnchorTarget, Sequencer

    if key is not None and not 0 < len(key) <= 128:
        raise ApiError(f"--key must be 1 to 128 characters, got {len(key)}")
    events = EventFile(file)
    key = key or events.key()
    with session(ctx, rpc, db) as (settings, chain, store):
        operator = keystore(settings).load("operator")
        target = AnchorTarget(_log_contract(chain, settings), sender_for(chain, operator))
        with Sequencer(store, operator.signing_key, clock_ms, target) as sequencer:  # releases the writer lock
            sequencer.catch_up()
            known = store.batch(key)
            stored = known if known is not None else _append_file(sequencer, events, key)
            head = sequencer.anchor()
    assert head is not None
    first = f"{stored.start}…{stored.stop - 1}" if stored else "none"
    if known is not None:
        console.print(f"already appended as events {first} (batch {key[:16]}…); nothing added")
    else:
        console.print(f"appended {len(stored)} events (indices {first}); tree size {head.tree_size}")
    console.print(f"root {head.root.hex()}", soft_wrap=True)
    console.print(f"anchored in {head.anchor_tx} (block {head.anchor_block})", soft_wrap=True)


def _append_file(sequencer: Sequencer, events: EventFile, key: str) -> range:
    """Append the file's events chunk by chunk, each sealed into a checkpoint, in one transaction
    committed with the batch's key once every line has proved good; the indices they were stored at."""
    from rich.progress import Progress

    start = sequencer.size
    with Progress(console=console, transient=True) as bar, sequencer.atomic():
        task = bar.add_task("appending events", total=events.size())
        for bodies, leaves in events.chunks(progress=lambda n: bar.update(task, advance=n)):
            sequencer.append_canonical(bodies, leaves)
            sequencer.seal()
        events.refuse_if_bad()
        sequencer.store.record_batch(key, range(start, sequencer.size))
    return range(start, sequencer.size)


@group.command("prove")
@reported
def prove_(ctx: typer.Context, event_ids: Annotated[list[str], typer.Argument(metavar="EVENT_ID...")],
           rpc: RpcOption = None, db: DbOption = None, api: ApiOption = None,
           by: Annotated[str, typer.Option("--as", help="With --api: the key name that signs the request.")]
           = "auditor") -> None:
    """Print each EVENT_ID's witness (event + inclusion proof against the newest anchored checkpoint).

    EVENT_ID is the event's leaf index or its leaf hash (hex). One id prints one JSON document;
    several print JSON Lines, one witness per line, all against the same checkpoint."""
    from ledger.provenance.witness import prove_all

    if api is not None:
        settings = ctx.ensure_object(State).settings(rpc, db)
        with remote(api, keystore(settings).load(by)) as client:
            _print_witnesses(client.get("/v1/log/witnesses", event=event_ids), len(event_ids))
        return
    with session(ctx, rpc, db) as (settings, chain, store):  # printed as they are made
        _print_witnesses(prove_all(store, event_ids, witness_check(chain, settings)), len(event_ids))


def _print_witnesses(witnesses: Iterable[dict[str, Any]], count: int) -> None:
    """One id: one JSON document; several: JSON Lines, one witness per line."""
    if count == 1:
        console.print_json(json.dumps(next(iter(witnesses))))
        return
    for witness in witnesses:
        print(json.dumps(witness, separators=(",", ":")), flush=True)


@group.command("check")
@reported
def check_(ctx: typer.Context, witness: Path, rpc: RpcOption = None, against: AgainstOption = None,
           witnesses: WitnessesOption = 0) -> None:
    """Verify witnesses (the output of `log prove`: one JSON document, or JSON Lines) against the
    chain alone: no database. Stops at the first that fails, naming its line. With --against, a
    checkpoint someone kept of the same size must have the same root (else: equivocation)."""
    from ledger.provenance.checkpoint import open_note
    from ledger.provenance.cosigner import require_cosignatures, same_head
    from ledger.provenance.witness import witnesses as registered

    settings = ctx.ensure_object(State).settings(rpc)
    documents = _witnesses(witness)
    with opened(settings) as chain:
        check = witness_check(chain, settings)
        for number, document in documents:
            try:
                check(document)
                anchoring = check.anchoring(document["inclusion"]["tree_size"])
                ours = open_note(document["checkpoint"], check.log.origin, check.key(anchoring))
                for kept in against or []:
                    same_head(ours, _note(kept), check.key(anchoring))
                if witnesses:
                    require_cosignatures(document["checkpoint"], ours, registered(check.registry), witnesses)
            except VerificationError as exc:
                raise VerificationError(f"{witness}:{number}: {exc}" if len(documents) > 1 else str(exc)) from exc
            console.print(f"ok: event {document['event_id']} is in the tree of size "
                          f"{document['inclusion']['tree_size']} anchored on chain")


def newest_anchored(store: LogStore) -> StoredCheckpoint:
    from api.actions.proofs import newest_anchored as newest

    return newest(store)


def witness_check(chain: Chain, settings: Settings) -> WitnessCheck:
    from api.actions.proofs import witness_check as check

    return check(chain, settings)


def _witnesses(path: Path) -> list[tuple[int, Any]]:
    """(line number, document): the whole file as one JSON document, or else one per non-blank line."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ApiError(f"cannot read {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ApiError(f"{path} is not UTF-8 text (byte {exc.start}): not a witness") from exc
    try:
        return [(1, json.loads(text))]
    except ValueError:
        pass
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                found.append((number, json.loads(line)))
            except ValueError as exc:
                raise ApiError(f"{path}:{number}: not JSON: {exc}") from exc
    if not found:
        raise ApiError(f"{path}: no witness in it")
    return found


@group.command("checkpoint")
@reported
def checkpoint(ctx: typer.Context, vkey: Annotated[bool, typer.Option(
        "--vkey", help="Print the operator's note verifier key instead: <name>+<key id hex>+<base64 key>.")] = False,
               rpc: RpcOption = None, db: DbOption = None, api: ApiOption = None) -> None:
    """Print the newest anchored checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint), with the
    witnesses' cosignatures. With --api, the server's (anyone may read it: no key needed)."""
    from api.actions.proofs import head, verifier_key

    if api is not None:
        from api.client import ApiClient

        with ApiClient(api) as client:
            print(client.get("/v1/log/vkey")["vkey"] if vkey else client.get("/v1/log/checkpoint")["note"],
                  end="\n" if vkey else "")
        return
    with session(ctx, rpc, db) as (settings, chain, store):
        check = witness_check(chain, settings)
        if vkey:
            print(verifier_key(settings, check))
            return
        print(head(store, check).note, end="")


@group.command("consistency")
@reported
def consistency(ctx: typer.Context, old: int, new: int, db: DbOption = None, api: ApiOption = None) -> None:
    """Print the consistency proof between tree sizes OLD and NEW (RFC 9162 §2.1.4) as JSON."""
    from api.actions.proofs import consistency as proof

    if api is not None:
        from api.client import ApiClient

        with ApiClient(api) as client:
            print(json.dumps(client.get("/v1/log/consistency", old=old, new=new)))
        return
    with _store(ctx.ensure_object(State).settings(None, db)) as store:
        print(json.dumps(proof(store, old, new)))


@group.command("verify")
@reported
def verify(ctx: typer.Context, rpc: RpcOption = None, db: DbOption = None, against: AgainstOption = None,
           witnesses: WitnessesOption = 0) -> None:
    """Recompute every anchored root from the events and check it against the chain, and against
    checkpoints the operator signed that others kept (--against: a witness's saved note)."""
    from rich.progress import Progress

    from ledger.chain import deployment
    from ledger.provenance import RegisteredKeys, verify_log
    from ledger.provenance.audit import check_signed_head

    with session(ctx, rpc, db) as (settings, chain, store):
        deployer = deployment.load(settings.deployment_path).deployer
        keys = RegisteredKeys(registry(chain, settings), deployer)  # from the chain, not the database
        log = _log_contract(chain, settings)
        for kept in against or []:
            check_signed_head(store, log, keys, _note(kept))
        if witnesses:
            _cosigned_enough(store, witness_check(chain, settings), witnesses)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("verifying events", total=store.size())
            report = verify_log(store, log, keys, progress=lambda done: bar.update(task, completed=done))
    console.print(f"ok: {report.events} events, {report.checkpoints} checkpoints "
                  f"({report.anchored} anchored on chain), {report.unsealed} not yet sealed"
                  + (f"; the log holds the {len(against)} kept checkpoint(s)" if against else ""))


def _cosigned_enough(store: LogStore, check: WitnessCheck, needed: int) -> None:
    from ledger.provenance.checkpoint import open_note
    from ledger.provenance.cosigner import require_cosignatures
    from ledger.provenance.witness import cosigned_note, witnesses

    head = newest_anchored(store)
    note = cosigned_note(head, check, store)
    checkpoint = open_note(note, check.log.origin, check.key(check.anchoring(head.tree_size)))
    require_cosignatures(note, checkpoint, witnesses(check.registry), needed)


def _note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ApiError(f"cannot read the checkpoint note {path}: {exc}") from exc
