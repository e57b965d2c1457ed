"""``credtrace incident``: the leak emergency plan (seeds R7), carried out as far as the platform can.

``open`` traces the leaked file (:mod:`api.actions.leak`; an untraceable file opens nothing), then, in this
order, so that a failure leaves nothing half-done behind it: checks the INCIDENT events it will log
(the reason is free text: no raw identifier enters the log); a regulator suspends each recipient on
chain (``ParticipantRegistry.suspend``, reason code ``DATA_LEAK``); the INCIDENT events are appended,
sealed and anchored; the report (JSON and text) is written to HOME/incidents/<id>/ by a rename. The
report lists the enterprises (pseudonyms) whose records were in the file and the consents they were
exported under, from the OUTPUT events — the log's word, not the leaked file's.

``close`` logs the end of the incident. It does not reinstate anyone: lifting a suspension is a
separate, explicit regulator act (``credtrace participants reinstate NAME --reason …``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.actions.leak import UNTRACEABLE
from api.cli.context import AsOption, RpcOption, State, console, keystore, opened, reported, sender_for

if TYPE_CHECKING:
    from api.actions.leak import Leak
    from api.platform import Platform
    from ledger.chain import KeyStore

group = typer.Typer(help="Incidents under the leak emergency plan (R7): open from a leaked file, close.",
                    no_args_is_help=True)
LeakOption = Annotated[Path, typer.Option("--leak", help="The leaked file (an export or an excerpt).")]
TextOption = Annotated[str, typer.Option("--reason", help="Why (kept in the log and the report; no raw identifiers).")]
_ID = re.compile(r"[0-9a-f]{16}")
PURPOSE = "leak emergency plan (R7): incident {}"
REINSTATE = "the recipient stays suspended: reinstating it is a separate regulator act " \
            "(`credtrace participants reinstate NAME --reason …`)"


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="incident")


@group.command("open")
@reported
def open_(ctx: typer.Context, leak: LeakOption, reason: TextOption,
          by: AsOption = "regulator", rpc: RpcOption = None) -> None:
    """Trace a leaked file, suspend its recipient on chain, log the incident and write its report."""
    from api.actions.leak import read, traced
    from api.platform import now_iso, opened_platform
    from ledger.provenance.witness import WitnessCheck

    settings = ctx.ensure_object(State).settings(rpc)
    keys, time = keystore(settings), now_iso()
    regulator = keys.load(by)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        _regulator(p, regulator.address, by)
        found = traced(str(leak), read(leak), p.sequencer.store, WitnessCheck(p.log, p.registry))
        if not found.found:
            raise ApiError(UNTRACEABLE.format(path=leak) + "; no incident opened")
        ident = hashlib.sha256(f"{found.sha256}\x00{time}".encode()).hexdigest()[:16]
        events = [_event("INCIDENT", regulator.address, ident, "opened", recipient, reason, found.sha256, time)
                  for recipient in found.recipients]  # checked before anything is done
        suspended = {r: _suspend(p, sender_for(chain, regulator), r) for r in found.recipients}
        logged = p.sequencer.append(events)
        p.seal_and_anchor()
    report = _report(ident, time, reason, regulator.address, found, suspended, list(logged), _names(keys))
    folder = _write(settings.home / "incidents", ident, report)
    console.print(f"incident {ident} opened: {_summary(report)}; report in {folder}", soft_wrap=True)


@group.command("close")
@reported
def close(ctx: typer.Context, ident: Annotated[str, typer.Argument(metavar="ID", help="The incident id.")],
          reason: TextOption, by: AsOption = "regulator", rpc: RpcOption = None) -> None:
    """End an incident (logged as INCIDENT); the recipient stays suspended until a regulator reinstates it."""
    from api.platform import now_iso, opened_platform

    if not _ID.fullmatch(ident):
        raise ApiError(f"{ident!r} is not an incident id (16 hex digits, as `incident open` printed it)")
    settings = ctx.ensure_object(State).settings(rpc)
    folder, time = settings.home / "incidents" / ident, now_iso()
    report = _load(folder, ident)
    regulator = keystore(settings).load(by)
    events = [_event("INCIDENT", regulator.address, ident, "closed", r["account"], reason, report["leak"]["sha256"],
                     time) for r in report["recipients"]]
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        _regulator(p, regulator.address, by)
        logged = p.sequencer.append(events)
        p.seal_and_anchor()
    report.update(status="closed", closed={"at": time, "by": regulator.address, "reason": reason,
                                           "events": list(logged)})
    _write(settings.home / "incidents", ident, report)
    console.print(f"incident {ident} closed (INCIDENT event {logged.start}); {REINSTATE}", soft_wrap=True)


def _event(action: str, actor: str, ident: str, what: str, recipient: str, reason: str, leak_sha: str,
           time: str) -> Any:
    from ledger.provenance.event import Event

    return Event.from_json({"action": action, "actor": actor, "subject": None, "assets": [leak_sha],
                            "purpose": PURPOSE.format(what), "consent": None, "request_id": f"incident-{ident}",
                            "time": time, "recipient": recipient, "reason": reason})


def _regulator(p: Platform, account: str, name: str) -> None:
    """Only an active regulator opens or closes an incident (the chain enforces the suspension too;
    this also covers a recipient already suspended, and closing, which send nothing to the chain)."""
    from eth_utils.address import to_checksum_address

    from ledger.errors import LedgerError
    from ledger.types import Role, Status

    try:
        who = p.registry.participant(to_checksum_address(account))
    except LedgerError:
        who = None
    if who is None or (who.role, who.status) != (Role.REGULATOR, Status.ACTIVE):
        raise ApiError(f"{name} is not an active regulator: only a regulator opens or closes an incident")


def _suspend(p: Platform, regulator: Any, account: str) -> dict[str, Any]:
    """Suspend ``account`` unless it is already (then say so): a regulator's act on chain."""
    from eth_utils.address import to_checksum_address

    from ledger.types import Status

    account = to_checksum_address(account)
    before = p.registry.participant(account).status
    if before is not Status.ACTIVE:
        return {"status_before": before.name, "suspended_tx": None}
    receipt = p.registry.suspend(regulator, account, "DATA_LEAK")
    return {"status_before": before.name, "suspended_tx": "0x" + bytes(receipt["transactionHash"]).hex()}


def _report(ident: str, time: str, reason: str, by: str, found: Leak, suspended: dict[str, dict[str, Any]],
            events: list[int], names: dict[str, str]) -> dict[str, Any]:
    exports = found.to_json()["exports"]
    return {"id": ident, "status": "open", "opened": {"at": time, "by": by, "reason": reason, "events": events},
            "leak": {"file": found.name, "sha256": found.sha256},
            "recipients": [{"account": r, "name": names.get(r), **suspended[r]} for r in found.recipients],
            "enterprises": sorted({e["enterprise"] for e in exports if e["enterprise"]}),
            "consents": sorted({e["consent"] for e in exports if e["consent"]}),
            "exports": exports, "next": REINSTATE}


def _summary(report: dict[str, Any]) -> str:
    who = ", ".join(f"{r['name'] or r['account']} ({'suspended' if r['suspended_tx'] else r['status_before']})"
                    for r in report["recipients"])
    return (f"recipient {who}; {len(report['enterprises'])} enterprise(s), {len(report['consents'])} consent(s) "
            f"involved; INCIDENT event(s) {', '.join(map(str, report['opened']['events']))}")


def _text(report: dict[str, Any]) -> str:
    lines = [f"Incident {report['id']} ({report['status']}) under the leak emergency plan (R7)",
             f"Opened {report['opened']['at']} by {report['opened']['by']}: {report['opened']['reason']}",
             f"Leaked file {report['leak']['file']} (sha256 {report['leak']['sha256']})", _summary(report)]
    lines += [f"  OUTPUT event {e['event_index']} at {e['time']} to {e['recipient']}: enterprise {e['enterprise']}, "
              f"consent {e['consent']}, proof checked on chain (tree size {e['witness']['inclusion']['tree_size']})"
              for e in report["exports"]]
    if "closed" in report:
        lines.append(f"Closed {report['closed']['at']} by {report['closed']['by']}: {report['closed']['reason']}")
    return "\n".join([*lines, report["next"], ""])


def _write(root: Path, ident: str, report: dict[str, Any]) -> Path:
    """HOME/incidents/<id>/ with incident.json and incident.txt, each written whole then renamed."""
    folder = root / ident
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, text in (("incident.json", json.dumps(report, indent=1) + "\n"), ("incident.txt", _text(report))):
        partial = folder / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(folder / name)
    return folder


def _load(folder: Path, ident: str) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads((folder / "incident.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApiError(f"no incident {ident!r} under {folder.parent}") from exc
    if report.get("status") != "open":
        raise ApiError(f"incident {ident} is already {report.get('status')}")
    return report


def _names(keys: KeyStore) -> dict[str, str]:
    return {i.address: i.name for i in keys.all()}
