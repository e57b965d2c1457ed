"""A bank's check of a signed decision record against the chain (oracle.verify, oracle.evidence), on every
backend: a record the chain decided verifies — with an independent DSSE implementation (securesystemslib's
SSlibKey over the ``cryptography`` package) as with ours — and every tampering is refused, naming the check
it breaks: a flipped field, another oracle's signature, a record of another application, a key rotated
before the decision, a model retired before it, too few signatures under a quorum of 2."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import replace
from typing import Any

import pytest
import rfc8785
from decision_world import access_event, access_log, application, decided, decision, signed, submit, tampered
from loan_world import POLICY, LoanWorld, build
from nacl.signing import SigningKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from oracle import record
from oracle.evidence import contracts_from, gather
from oracle.verify import Check, verified


@pytest.fixture
def world(chain, backend, make_identity, sender) -> LoanWorld:  # type: ignore[no-untyped-def]
    return build(chain, backend, make_identity, sender)


def checked(world: LoanWorld, raw: bytes, application_id: int | None = None) -> list[Check]:
    contracts = contracts_from(world.chain, world.loans.contract.address)
    return verified(raw, lambda claim: gather(contracts, claim), application_id)


def first_failure(world: LoanWorld, raw: bytes, application_id: int | None = None) -> str:
    found = checked(world, raw, application_id)
    assert not found[-1].ok and all(c.ok for c in found[:-1]), found
    return found[-1].name


def test_a_decided_record_verifies_with_securesystemslib_and_with_decision_verify(world: LoanWorld) -> None:
    app_id, raw = decided(world)
    # Independently of oracle.*: securesystemslib's DSSE path, SSlibKey.verify_signature over `cryptography`,
    # with the key the registry held when the decision was mined, and the payload's SHA-256 from the chain.
    on_chain = world.loans.decision(app_id)
    block = world.loans.contract.event("Decided").get_logs(from_block=0, argument_filters={
        "applicationId": app_id})[0]["blockNumber"]
    key = world.registry.signing_key_at(world.oracle.address, block)
    envelope = Envelope.from_dict(json.loads(raw))
    sslib_key = SSlibKey(world.oracle.address, "ed25519", "ed25519", {"public": key.hex()})
    assert list(envelope.verify([sslib_key], 1)) == [world.oracle.address]
    assert hashlib.sha256(base64.b64decode(json.loads(raw)["payload"])).hexdigest() == on_chain.record_hash
    assert json.loads(envelope.payload)["predicate"]["applicationId"] == app_id

    found = checked(world, raw, app_id)
    assert [c.name for c in found] == ["envelope", "application", "decided", "subject", "signatures", "quorum",
                                       "model", "terms", "record-hash"]
    assert all(c.ok for c in found), found
    _, declined = decided(world, decision="DECLINE", limit=0, pd_ppm=310_000, score=402)
    assert all(c.ok for c in checked(world, declined))


def test_a_flipped_field_breaks_the_signatures(world: LoanWorld) -> None:
    _, raw = decided(world)
    assert first_failure(world, tampered(raw, limit=1)) == "signatures"
    assert first_failure(world, tampered(raw, decision="DECLINE")) == "signatures"
    assert first_failure(world, b'{"payloadType": "x"}') == "envelope"


def test_another_oracles_signature_is_refused(world: LoanWorld) -> None:
    app_id, raw = decided(world)
    app = application(world, app_id)
    other = json.loads(signed(decision(world, app), app, [world.oracles[1]])[0])  # the same payload
    doc = json.loads(raw)
    doc["signatures"][0]["sig"] = other["signatures"][0]["sig"]  # oracle 1's signature under oracle 0's keyid
    assert first_failure(world, rfc8785.dumps(doc)) == "signatures"


def test_a_record_of_another_application_is_refused(world: LoanWorld) -> None:
    first, _ = decided(world)
    second, raw = decided(world, limit=500_000_00)
    assert first_failure(world, raw, application_id=first) == "application"
    # The second's decision re-signed by its oracle as if it were the first's: the subject is not the first.
    d = decision(world, application(world, second), limit=500_000_00)
    relabelled = replace(d, application_id=first)
    raw = record.sign(relabelled, application(world, second), world.oracle.signing_key, world.oracle.address)
    assert first_failure(world, raw) == "subject"


def test_a_key_rotated_before_the_decision_is_refused(world: LoanWorld) -> None:
    app_id = world.apply()
    app = application(world, app_id)
    d = decision(world, app)
    (raw,) = signed(d, app, [world.oracle])
    world.registry.rotate_signing_key(world.send(world.oracle), bytes(SigningKey.generate().verify_key))
    submit(world, d, world.oracle, record.record_hash(raw))
    assert first_failure(world, raw) == "signatures"


def test_a_model_retired_before_the_decision_is_refused(world: LoanWorld) -> None:
    retired = secrets.token_hex(32)
    world.models.register(world.send(world.operator), retired, secrets.token_hex(32))
    world.models.approve(world.send(world.regulator), retired)
    world.models.retire(world.send(world.regulator), retired, "MODEL_DRIFT")
    app_id = world.apply()
    app = application(world, app_id)
    (raw,) = signed(decision(world, app, model_id=retired), app, [world.oracle])
    submit(world, decision(world, app), world.oracle, record.record_hash(raw))  # the chain took a servable one
    assert first_failure(world, raw) == "model"


def test_too_few_signatures_under_a_quorum_of_two_are_refused(world: LoanWorld) -> None:
    world.loans.set_policy(world.send(world.regulator), replace(POLICY, quorum=2))
    app_id = world.apply()
    app = application(world, app_id)
    d = decision(world, app)
    records = signed(d, app, world.oracles[:2])
    for oracle, one in zip(world.oracles[:2], records, strict=True):
        submit(world, d, oracle, record.record_hash(one))
    assert first_failure(world, records[0]) == "quorum"
    doc = json.loads(records[0])  # one oracle's signature twice, its keyid spelt two ways, is one oracle
    doc["signatures"].append({**doc["signatures"][0], "keyid": doc["signatures"][0]["keyid"].lower()})
    assert first_failure(world, rfc8785.dumps(doc)) == "quorum"
    assert all(c.ok for c in checked(world, record.combined(records)))


def test_the_access_events_a_record_cites_are_proved_in_an_anchored_checkpoint(world: LoanWorld, tmp_path) -> None:  # type: ignore[no-untyped-def]
    witnesses, checkpoint = access_log(world, f"sqlite:///{tmp_path / 'log.sqlite'}",
                                       [access_event(world), access_event(world, enterprise=1)])
    contracts = contracts_from(world.chain, world.loans.contract.address)  # the log found from the witnesses

    def proved(raw: bytes, given: list[dict[str, Any]] = witnesses) -> list[Check]:
        return verified(raw, lambda claim: gather(contracts, claim, given))

    _, raw = decided(world, access_events=(0,), checkpoint=checkpoint)
    found = proved(raw)
    assert found[-1].name == "access-events" and all(c.ok for c in found), found
    assert proved(raw, [])[-1] == Check("access-events", False, "no witness for the cited event 0")
    forged = [{**witnesses[0], "event": {**witnesses[0]["event"], "purpose": "marketing"}}]
    assert "witness does not hold: leaf_hash" in proved(raw, forged)[-1].detail
    _, other = decided(world, access_events=(1,), checkpoint=checkpoint)  # another enterprise's read
    assert proved(other)[-1] == Check("access-events", False, f"event 1 is not an ACCESS of enterprise "
                                      f"{world.subject(0)} under consent 0x{world.consent(0)}")
    _, unanchored = decided(world, access_events=(0,), checkpoint=replace(checkpoint, root_hash="44" * 32))
    assert "is not a tree head anchored on chain" in proved(unanchored)[-1].detail


def test_hostile_witnesses_fail_the_access_check_and_never_crash_it(world: LoanWorld, tmp_path) -> None:  # type: ignore[no-untyped-def]
    witnesses, checkpoint = access_log(world, f"sqlite:///{tmp_path / 'log.sqlite'}", [access_event(world)])
    contracts = contracts_from(world.chain, world.loans.contract.address)
    _, raw = decided(world, access_events=(0,), checkpoint=checkpoint)
    huge = {**witnesses[0], "inclusion": {**witnesses[0]["inclusion"], "tree_size": 2**300}}
    for given in ([{**witnesses[0], "event_id": [0]}, witnesses[0]], [huge], [{"event_id": 0}], ["junk"]):
        found = verified(raw, lambda claim, given=given: gather(contracts, claim, given))
        assert found[-1].name == "access-events", found
        assert found[-1].ok is (given[-1] is witnesses[0]), found
    _, far = decided(world, access_events=(0,), checkpoint=replace(checkpoint, tree_size=2**53 - 1))
    assert "not a tree head anchored on chain" in verified(
        far, lambda claim: gather(contracts, claim, witnesses))[-1].detail
