"""The enterprise routes against a running server (issue 17): the enterprise signs its EIP-712 grant and
revocation itself and the operator submits them, as `credtrace consent grant|revoke` do; its consents and
who used its data (the oracle's ACCESS events about its pseudonym). Hostile: a malformed or another key's
signature (422 verification-failed), a grant in another enterprise's name, a revocation twice, a bank."""

from __future__ import annotations

import time

import bank_world
from bank_world import Served, refused
from oracle_world import log_events

from api.client import ApiClient
from ledger.contracts.consent import (
    Category,
    Grant,
    consent_id_hex,
    grant_message,
    grant_terms,
    new_nonce,
    sign_revoke,
)

decided_base, world = bank_world.decided_base, bank_world.world  # the module's fixtures


def signed_grant(api: ApiClient, world: Served, signer: str = "enterprise-1") -> dict[str, object]:
    """The grant's fields signed (EIP-712) by ``signer``'s key: the enterprise's, or a forger's."""
    enterprise, bank = world.key("enterprise-1"), world.key("bank-b")
    domain = api.get("/v1/consents/domain")
    purpose, expires = grant_terms("credit-assessment", 30, int(time.time()))
    g = Grant(enterprise.address, bank.address, bytes.fromhex(domain["subject"][2:]), Category.TAX, purpose, 0,
              expires, new_nonce())
    signature = bytes(world.key(signer).account.sign_message(
        grant_message(g, domain["chain_id"], domain["verifying_contract"])).signature)
    return {"enterprise": g.enterprise, "bank": g.bank, "subject": domain["subject"], "categories": int(g.categories),
            "purpose": "0x" + purpose.hex(), "not_before": 0, "expires_at": expires, "nonce": str(g.nonce),
            "signature": "0x" + signature.hex()}


def test_an_enterprise_grants_and_revokes_with_its_own_signatures(world: Served) -> None:
    with ApiClient(world.url, world.key("enterprise-1")) as api, ApiClient(world.url, world.key("bank-b")) as bank:
        made = api.post("/v1/consents", signed_grant(api, world))
        assert made["categories"] == ["tax"] and made["revoked_at"] == 0 and made["bank"] == world.key("bank-b").address
        assert made["consent_id"] in {c["consent_id"] for c in api.get("/v1/consents")}
        assert made["consent_id"] in {c["consent_id"] for c in bank.get("/v1/consents")}
        domain, nonce = api.get("/v1/consents/domain"), new_nonce()
        signature = sign_revoke(bytes.fromhex(made["consent_id"][2:]), nonce, world.key("enterprise-1").account,
                                domain["chain_id"], domain["verifying_contract"])
        body = {"nonce": str(nonce), "signature": "0x" + signature.hex()}
        revoked = api.post(f"/v1/consents/{made['consent_id']}/revocation", body)
        assert revoked["revoked_at"] > 0
        again = {"nonce": str(nonce + 1), "signature": "0x" + sign_revoke(
            bytes.fromhex(made["consent_id"][2:]), nonce + 1, world.key("enterprise-1").account, domain["chain_id"],
            domain["verifying_contract"]).hex()}
        problem = refused(lambda: api.post(f"/v1/consents/{made['consent_id']}/revocation", again), 409,
                          "contract-revert")
        assert "AlreadyRevoked" in str(problem["detail"])


def test_a_malformed_or_foreign_signature_is_refused_and_nothing_is_granted(world: Served) -> None:
    with ApiClient(world.url, world.key("enterprise-1")) as api:
        before = len(api.get("/v1/consents"))
        short = {**signed_grant(api, world), "signature": "0x" + "00" * 10}
        assert "BadSignatureLength" in str(refused(lambda: api.post("/v1/consents", short), 422,
                                                   "verification-failed")["detail"])
        foreign = signed_grant(api, world, signer="bank-a")
        assert "BadSignature" in str(refused(lambda: api.post("/v1/consents", foreign), 422,
                                             "verification-failed")["detail"])
        refused(lambda: api.post("/v1/consents", {**short, "signature": "not hex"}), 422, "invalid-request")
        assert len(api.get("/v1/consents")) == before
    with ApiClient(world.url, world.key("bank-a")) as bank:
        refused(lambda: bank.post("/v1/consents", short), 403, "role-forbidden")
        revocation = {"nonce": "1", "signature": "0x" + "00" * 65}
        refused(lambda: bank.post(f"/v1/consents/{world.consent_a}/revocation", revocation), 403, "role-forbidden")


def test_an_enterprise_cannot_grant_or_revoke_in_another_name(world: Served) -> None:
    with ApiClient(world.url, world.key("enterprise-1")) as api:
        other = {**signed_grant(api, world), "enterprise": world.key("bank-a").address}
        refused(lambda: api.post("/v1/consents", other), 403, "not-owner")
        unknown = consent_id_hex(b"\x01" * 32)
        refused(lambda: api.post(f"/v1/consents/{unknown}/revocation", {"nonce": "1", "signature": "0x00"}), 404,
                "not-found")


def test_an_enterprise_sees_who_used_its_data(world: Served) -> None:
    enterprise = world.key("enterprise-1")
    with ApiClient(world.url, enterprise) as api:
        used = api.get("/v1/enterprises/me/usage")
    with ApiClient(world.url, world.key("bank-a")) as bank:
        refused(lambda: bank.get("/v1/enterprises/me/usage"), 403, "not-owner")
    [(_, denied)] = log_events(world.home)[-1:]
    assert (denied["action"], denied["actor"]) == ("DENIED", world.key("bank-a").address)
    reads = [u for u in used if u["action"] == "ACCESS"]
    assert len(reads) == 3 and {u["actor"] for u in reads} == {world.key("oracle").address}
    assert {u["consent"] for u in reads} == {world.consent_a, world.consent_b}
    assert {u["action"] for u in used} <= {"ACCESS", "OUTPUT", "DENIED"} and all(u["why"] for u in used)
