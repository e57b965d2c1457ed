"""Step 2: the state the platform derives, rebuilt from chain events and the log alone, compared with what the
contracts answer now (their views) and with the platform database's tables that mirror the chain or the log.

The database keeps no copy of participants, consents, sanctions, models or loans (the chain is their only
copy), so for those the events are folded and held against the views; an edit of that state is an edit of
the node's own storage, which step 1 catches. What the database does mirror is compared row by row:

- ``decision_records``: each row's hash is SHA-256 of its payload, and is its oracle's ``DecisionSubmitted``
  hash when it voted; every ``Decided`` application has a stored record with its hash;
- ``feature_vectors``: each row is keyed by the SHA-256 of its bytes;
- ``oracle_cases``: each cited log event is a gate event (ACCESS or DENIED) for that application, and the
  checkpoint named is a root anchored on chain;
- ``catalogue_batches``: each batch's content hash is in the assets of the INGEST (or TRANSFORM) event it
  names;
- ``reason_texts``: each text hashes to its key, and every hashed reason on chain has its text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from api.replay.history import position
from api.replay.report import Report
from api.replay.world import World
from ledger.contracts import ConsentRegistry, ModelRegistry, ParticipantRegistry, SanctionsList
from ledger.contracts.loan_ledger import LoanLedger
from ledger.errors import LedgerError

STEP = "state"


def check(world: World, report: Report) -> None:
    for part in (participants, consents, sanctions, models, loans, operating, decision_records, vectors, cases,
                 batches, reasons):
        try:
            part(world, report)
        except LedgerError as exc:  # a contract that does not answer as its artifact would (step 1 says why)
            report.found(STEP, part.__name__, f"cannot be rebuilt and compared: {exc}")


def _rows(world: World, sql: str) -> list[Any]:
    with world.engine.connect() as conn:
        return list(conn.execute(sa.text(sql)))


def _latest(events: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, Any]:
    """Each key's last event, in chain order."""
    return {key(e): e for e in sorted(events, key=position)}


# ---- chain state: events folded, held against the views ---------------------------------------------


def participants(world: World, report: Report) -> None:
    h = world.history
    keys = _latest(h.named("ParticipantRegistry", "ParticipantRegistered"), lambda e: e["args"]["account"])
    statuses = _latest(h.named("ParticipantRegistry", "StatusChanged"), lambda e: e["args"]["account"])
    rotated = _latest(h.named("ParticipantRegistry", "SigningKeyRotated"), lambda e: e["args"]["account"])
    proposed = {e["args"]["id"]: e for e in h.named("ParticipantRegistry", "AppointmentProposed")}
    for e in h.named("ParticipantRegistry", "AppointmentEnacted"):
        keys[e["args"]["account"]] = proposed.get(e["args"]["id"], e)
    for account, e in keys.items():
        key = bytes(rotated[account]["args"]["newKey"] if account in rotated else e["args"].get("signingKey", b""))
        view = ParticipantRegistry(world.contracts["ParticipantRegistry"]).participant(account)
        _differ(report, f"participant {account}", {
            "role": (int(e["args"].get("role", view.role)), int(view.role)),
            "signing key": (key.hex(), view.signing_key.hex()),
            "status": (int(statuses[account]["args"]["to"]) if account in statuses else 1, int(view.status))})


def consents(world: World, report: Report) -> None:
    revoked = {bytes(e["args"]["consentId"]) for e in world.history.named("ConsentRegistry", "ConsentRevoked")}
    for e in world.history.named("ConsentRegistry", "ConsentGranted"):
        cid = bytes(e["args"]["consentId"])
        view = ConsentRegistry(world.contracts["ConsentRegistry"]).consent(cid)
        if view is None:
            report.found(STEP, f"consent 0x{cid.hex()}", "granted by an event, unknown to the contract")
            continue
        _differ(report, f"consent 0x{cid.hex()}", {
            "bank": (e["args"]["bank"], view.grant.bank),
            "subject": (bytes(e["args"]["subject"]).hex(), bytes(view.grant.subject).hex()),
            "revoked": (cid in revoked, view.revoked)})


def sanctions(world: World, report: Report) -> None:
    h = world.history
    changes = [*h.named("SanctionsList", "Sanctioned"), *h.named("SanctionsList", "Lifted")]
    for subject, e in _latest(changes, lambda e: bytes(e["args"]["subject"])).items():
        listed = SanctionsList(world.contracts["SanctionsList"]).is_sanctioned(subject.hex())
        _differ(report, f"sanction of 0x{subject.hex()}", {"listed": (e["event"] == "Sanctioned", listed)})


def models(world: World, report: Report) -> None:
    rank = {"ModelRegistered": 1, "ModelApproved": 2, "ModelRetired": 3}
    found = [e for name in rank for e in world.history.named("ModelRegistry", name)]
    for model_id, e in _latest(found, lambda e: bytes(e["args"]["modelId"])).items():
        view = ModelRegistry(world.contracts["ModelRegistry"]).model(model_id.hex())
        _differ(report, f"model 0x{model_id.hex()}", {"status": (rank[e["event"]], int(view.status))})


def loans(world: World, report: Report) -> None:
    h = world.history
    statuses = _latest(h.named("LoanLedger", "StatusChanged"), lambda e: int(e["args"]["applicationId"]))
    decided = {int(e["args"]["applicationId"]): e for e in h.named("LoanLedger", "Decided")}
    ledger = LoanLedger(world.contracts["LoanLedger"])
    for app_id, e in statuses.items():
        expected: dict[str, tuple[Any, Any]] = {"status": (int(e["args"]["to"]), int(ledger.loan(app_id).status))}
        if app_id in decided:
            expected["record hash"] = (bytes(decided[app_id]["args"]["recordHash"]).hex(),
                                       ledger.decision(app_id).record_hash.removeprefix("0x"))
        _differ(report, f"application {app_id}", expected)


def operating(world: World, report: Report) -> None:
    """The operating ledger folds LoanLedger's events (the ones read once); events that disagree are a mismatch."""
    from ledger.operating.errors import OperatingError
    from ledger.operating.events import NAMES, decoded
    from ledger.operating.figures import Source
    from ledger.operating.fold import fold

    loans = world.contracts["LoanLedger"]
    source = Source(int(world.chain.web3.eth.chain_id), loans.address, 0, world.history.head)
    try:
        fold((decoded(e["event"], e["args"]) for e in world.history.events["LoanLedger"] if e["event"] in NAMES),
             source)
    except OperatingError as exc:
        report.found(STEP, "operating ledger (LoanLedger events)", str(exc))


def _differ(report: Report, where: str, fields: dict[str, tuple[Any, Any]]) -> None:
    for name, (rebuilt, now) in fields.items():
        if rebuilt != now:
            report.found(STEP, where, f"{name}: the events say {rebuilt!r}, the contract answers {now!r}")


# ---- the database's mirrors of the chain and the log ---------------------------------------------------


def decision_records(world: World, report: Report) -> None:
    from oracle import record
    from oracle.errors import RecordError

    h = world.history
    votes = {(int(e["args"]["applicationId"]), e["args"]["oracle"].lower()): bytes(e["args"]["recordHash"]).hex()
             for e in h.named("LoanLedger", "DecisionSubmitted")}
    decided = {int(e["args"]["applicationId"]): bytes(e["args"]["recordHash"]).hex()
               for e in h.named("LoanLedger", "Decided")}
    stored: dict[int, set[str]] = {}
    for app_id, oracle, raw, column in _rows(world, "SELECT application_id, oracle, record, record_hash "
                                                    "FROM decision_records"):
        where = f"decision_records row (application {app_id}, oracle {oracle})"
        try:
            digest = record.record_hash(bytes(raw))
        except RecordError as exc:
            report.found(STEP, where, f"the stored record is not a DSSE envelope: {exc}")
            continue
        stored.setdefault(int(app_id), set()).add(digest)
        # Only the oracle's own vote says what its record must hash to: a record kept without a vote (another
        # quorum decided first, or a crash before sending) answers to its row alone.
        on_chain = votes.get((int(app_id), str(oracle).lower()))
        if digest != column or (on_chain is not None and digest != on_chain):
            report.found(STEP, where, f"the record's payload hashes to {digest}; its row says {column}, the chain "
                                      f"{on_chain} (edited?)")
    for app_id, digest in sorted(decided.items()):
        if digest not in stored.get(app_id, set()):
            report.found(STEP, f"decision_records, application {app_id}",
                         f"no stored record has the hash decided on chain ({digest}): deleted?")


def vectors(world: World, report: Report) -> None:
    for digest, data in _rows(world, "SELECT vector_hash, canonical FROM feature_vectors"):
        if hashlib.sha256(bytes(data)).hexdigest() != digest:
            report.found(STEP, f"feature_vectors row {digest}", "its bytes do not hash to its key (edited?)")


def cases(world: World, report: Report) -> None:
    rows = _rows(world, "SELECT application_id, access_events, tree_size, root_hash FROM oracle_cases")
    cited = [i for r in rows for i in json.loads(r[1])]
    bodies = world.store.events_at(cited)
    anchored = {int(e["args"]["treeSize"]): bytes(e["args"]["root"]).hex()
                for e in world.history.named("ProvenanceLog", "CheckpointAnchored")}
    for app_id, events, tree_size, root in rows:
        where = f"oracle_cases row (application {app_id})"
        for index in json.loads(events):
            event = json.loads(bodies[index][1]) if index in bodies else {}
            gate = event.get("action") in ("ACCESS", "DENIED")
            if not gate or event.get("request_id") != f"loan application {app_id}":
                report.found(STEP, where, f"log event {index} is not a gate event for application {app_id}")
        if tree_size is not None and anchored.get(int(tree_size)) != root:
            report.found(STEP, where, f"its checkpoint (size {tree_size}) is not a root anchored on chain")


def batches(world: World, report: Report) -> None:
    rows = _rows(world, "SELECT batch_id, content_hash, event_index, kind FROM catalogue_batches "
                        "WHERE event_index IS NOT NULL")
    bodies = world.store.events_at([int(r[2]) for r in rows])
    for batch_id, content_hash, index, kind in rows:
        event = json.loads(bodies[int(index)][1]) if int(index) in bodies else {}
        named = content_hash in event.get("assets", ()) or kind == "correction"  # a correction names its rows
        if not named or event.get("request_id") != f"batch-{batch_id}":
            report.found(STEP, f"catalogue_batches row {batch_id}",
                         f"its content hash {content_hash} is not in log event {index} (edited?)")


def reasons(world: World, report: Report) -> None:
    texts = {str(d): str(t) for d, t in _rows(world, "SELECT digest, text FROM reason_texts")}
    for digest, text in texts.items():
        if hashlib.sha256(text.encode()).hexdigest() != digest:
            report.found(STEP, f"reason_texts row {digest}", "its text does not hash to its key (edited?)")
