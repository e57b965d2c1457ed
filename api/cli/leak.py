"""``credtrace audit leak``: whose copy a leaked export is (seeds R7, the leak emergency plan).

The leak's fingerprint tokens are matched against the OUTPUT events of the log
(:mod:`ledger.catalogue.leak`); each event found is proved in a checkpoint anchored on chain and the
proof checked against the chain (:mod:`ledger.provenance.witness`, the contract's verifier too). A file
whose tokens were stripped or altered is *untraceable*: exit 1, nothing attributed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.cli.context import DbOption, RpcOption, console, reported

if TYPE_CHECKING:
    from ledger.catalogue.leak import Attribution
    from ledger.provenance import LogStore
    from ledger.provenance.witness import WitnessCheck

LeakArg = Annotated[Path, typer.Argument(help="The leaked file: an export, or an excerpt of one (JSON or JSON Lines).")]
UNTRACEABLE = ("untraceable: no fingerprint in {path} names an export in the log (stripped or altered); "
               "the leak is not attributed to anyone")


def add_to(audit: typer.Typer) -> None:
    audit.command("leak")(leak)


@dataclass(frozen=True)
class Leak:
    """A traced leak: the file's hash, the exports it came from with their verified witnesses."""

    path: Path
    sha256: str
    found: list[tuple[Attribution, dict[str, Any]]]
    unknown: int

    def to_json(self) -> dict[str, Any]:
        return {"traceable": bool(self.found), "file": str(self.path), "file_sha256": self.sha256,
                "exports": [_export(a, w) for a, w in self.found], "unknown_fingerprints": self.unknown}

    @property
    def recipients(self) -> list[str]:
        return sorted({a.recipient for a, _ in self.found})


@reported
def leak(ctx: typer.Context, file: LeakArg, as_json: Annotated[bool, typer.Option("--json")] = False,
         rpc: RpcOption = None, db: DbOption = None) -> None:
    """Name the recipient of a leaked export, its OUTPUT event and the event's inclusion proof, checked
    against a root anchored on chain; exit 1 if the file is untraceable."""
    from api.cli.log import session, witness_check

    with session(ctx, rpc, db) as (settings, chain, store):
        found = traced(file, store, witness_check(chain, settings))
    if as_json:
        console.print_json(json.dumps(found.to_json()))
    else:
        for line in describe(found):
            console.print(line, soft_wrap=True, markup=False)
    if not found.found:
        raise ApiError(UNTRACEABLE.format(path=file))


def traced(path: Path, store: LogStore, check: WitnessCheck) -> Leak:
    """``path`` traced through ``store``'s OUTPUT events, each proved and checked against the chain."""
    from ledger.catalogue.leak import parse, trace
    from ledger.provenance.witness import prove_all

    raw = _read(path)
    try:
        documents = parse(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError too
        raise ApiError(f"{path} is not JSON or JSON Lines: {exc}") from exc
    found = trace(documents, ((i, body) for i, _, body in store.leaves(0, store.size())))
    found_at = [str(a.event_index) for a in found.attributions]
    witnesses = list(prove_all(store, found_at, check)) if found_at else []
    for witness in witnesses:
        check(witness)  # the audit path through the ProvenanceLog contract's verifier too
    return Leak(path, hashlib.sha256(raw).hexdigest(), list(zip(found.attributions, witnesses, strict=True)),
                found.unknown)


def describe(found: Leak) -> list[str]:
    lines = [] if found.found else [f"{found.path}: untraceable (sha256 {found.sha256})"]
    for a, w in found.found:
        e = a.event
        lines += [f"leaked by {a.recipient}: OUTPUT event {a.event_index} at {e['time']}, exported by {e['actor']}",
                  f"  enterprise {e['subject']}, consent {e['consent']}; {a.matched} object(s) of the file are "
                  f"from this export, {a.intact} unaltered",
                  f"  inclusion proof verified against tree size {w['inclusion']['tree_size']} anchored on chain "
                  f"in block {w['anchor']['block']} (tx {w['anchor']['tx']})"]
    if found.found and found.unknown:
        lines.append(f"  {found.unknown} other fingerprint(s) in the file name no export (altered?)")
    return lines


def _export(a: Attribution, witness: dict[str, Any]) -> dict[str, Any]:
    e = a.event
    return {"recipient": a.recipient, "event_index": a.event_index, "time": e["time"], "exported_by": e["actor"],
            "enterprise": e["subject"], "consent": e["consent"], "matched": a.matched, "intact": a.intact,
            "witness": witness}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {path}: {exc.strerror or exc}") from exc
