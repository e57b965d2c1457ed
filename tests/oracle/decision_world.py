"""Signed decision records made by hand in a loan world (tests/ledger/contracts/loan_world.py): the record
signed with oracle identities' Ed25519 keys (:func:`oracle.record.sign`) and its hash submitted with
``decide``, as the oracle service does, so the verifier is tested without the service.

A plain module (tests/conftest.py puts this folder on the path), shared by the verifier's tests and the
``decision`` command's.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import rfc8785
from loan_world import LoanWorld

from ledger.chain import Identity
from ledger.contracts import loan_ledger
from oracle import record

DECIDED_AT = "2026-11-30T09:00:00Z"


def application(world: LoanWorld, application_id: int) -> record.Application:
    """The application as the chain has it, in the record's form."""
    a = world.loans.application(application_id)
    return record.Application(int(world.chain.web3.eth.chain_id), world.loans.contract.address, application_id,
                              a.bank, a.subject, a.consent_id, a.amount, a.term_months, a.product_id)


def decision(world: LoanWorld, app: record.Application, **overrides: Any) -> record.Decision:
    made = record.Decision(app.chain_id, app.loan_ledger, app.application_id, app.bank, app.subject, world.model_id,
                           "11" * 32, "22" * 32, 612, 21_000, "APPROVE", app.amount, 450,
                           (record.Reason("SALES_STABLE", "invoiced sales steady over twelve months"),), (), None,
                           DECIDED_AT)
    return replace(made, **overrides)


def signed(d: record.Decision, app: record.Application, oracles: Sequence[Identity]) -> list[bytes]:
    return [record.sign(d, app, o.signing_key, o.address) for o in oracles]


def submit(world: LoanWorld, d: record.Decision, oracle: Identity, record_hash: str) -> None:
    world.loans.decide(world.send(oracle), loan_ledger.Decision(
        d.application_id, d.decision == "APPROVE", d.limit, d.rate_bps, d.pd_ppm, d.score, d.model_id, record_hash))


def decided(world: LoanWorld, oracles: Sequence[Identity] | None = None, **overrides: Any) -> tuple[int, bytes]:
    """A new application decided by ``oracles`` (the first by default), each submitting the record's hash;
    the application id and the record with every signature."""
    oracles = list(oracles or world.oracles[:1])
    app_id = world.apply()
    app = application(world, app_id)
    d = decision(world, app, **overrides)
    records = signed(d, app, oracles)
    for oracle, one in zip(oracles, records, strict=True):
        submit(world, d, oracle, record.record_hash(one))
    return app_id, record.combined(records)


def tampered(raw: bytes, **predicate: Any) -> bytes:
    """The record with predicate fields changed and the signatures left as they were."""
    doc = json.loads(raw)
    statement = json.loads(base64.b64decode(doc["payload"]))
    statement["predicate"].update(predicate)
    doc["payload"] = base64.b64encode(rfc8785.dumps(statement)).decode()
    return rfc8785.dumps(doc)


def access_log(world: LoanWorld, db_url: str, events: Sequence[dict[str, Any]]) -> tuple[
        list[dict[str, Any]], record.Checkpoint]:
    """A ProvenanceLog of the world's registry holding ``events`` (JSON), sealed and anchored by the world's
    operator: each event's witness (``credtrace log prove``'s format) and the anchored checkpoint."""
    from ledger.chain import deployment
    from ledger.contracts import ProvenanceLog
    from ledger.migrations import open_engine
    from ledger.provenance import AnchorTarget, Event, LogStore, Sequencer
    from ledger.provenance.witness import WitnessCheck, prove_all

    sender = world.send(world.operator)
    address = deployment.deploy_contract(sender, "ProvenanceLog", world.registry.contract.address).address
    log = ProvenanceLog(_contract(world, "ProvenanceLog", address))
    store = LogStore(open_engine(db_url))
    with Sequencer(store, world.operator.signing_key, lambda: 1_790_000_000_000, AnchorTarget(log, sender)) as seq:
        seq.append([Event.from_json(e) for e in events])
        seq.seal()
        head = seq.anchor()
    assert head is not None
    witnesses = list(prove_all(store, [str(i) for i in range(len(events))], WitnessCheck(log, world.registry)))
    return witnesses, record.Checkpoint(head.tree_size, head.root.hex())


def _contract(world: LoanWorld, name: str, address: str) -> Any:
    from ledger.chain import DeployedContract, artifact

    return DeployedContract(world.chain, artifact.load(name), address)  # type: ignore[arg-type]


def access_event(world: LoanWorld, action: str = "ACCESS", enterprise: int = 0) -> dict[str, Any]:
    """What the access gate records when the oracle reads for the first bank under the enterprise's consent."""
    return {"action": action, "actor": world.oracle.address, "subject": world.subject(enterprise),
            "assets": ["33" * 32], "purpose": "credit line review", "consent": "0x" + world.consent(enterprise),
            "request_id": f"oracle-{action.lower()}-{enterprise}", "time": "2026-11-30T08:59:00Z"}
