"""ConsentRegistry (seeds R4) on every backend, and the pure consent checks once."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_utils.crypto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from web3.types import Wei

from ledger.chain import Chain, Identity, TransactionSender, deployment
from ledger.contracts import ParticipantRegistry
from ledger.contracts.consent import (
    ALL_CATEGORIES,
    Category,
    Consent,
    ConsentError,
    ConsentId,
    Grant,
    check,
    consent_id,
    consent_id_hex,
    grant_message,
    grant_terms,
    new_nonce,
    parse_consent_id,
    purpose,
    revoke_digest,
    sign_grant,
)
from ledger.contracts.consent_registry import NAME, ConsentRegistry
from ledger.contracts.participant_registry import NAME as REGISTRY
from ledger.errors import ContractRevert
from ledger.types import Address, Role

Senders = Callable[[Identity], TransactionSender]
CREDIT = purpose("credit-assessment")
SUBJECT = keccak(b"pseudonym of a test enterprise")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass
class World:
    chain: Chain
    backend: str
    consents: ConsentRegistry
    operator: Identity
    enterprise: Identity
    bank: Identity
    other_bank: Identity
    send: Senders

    def now(self) -> int:
        """A time no earlier than the next block's: block clocks may run ahead of ours, or lag."""
        return max(int(self.chain.web3.eth.get_block("latest")["timestamp"]), int(time.time()))

    def terms(self, **overrides: Any) -> Grant:
        fields: dict[str, Any] = {
            "enterprise": self.enterprise.address, "bank": self.bank.address, "subject": SUBJECT,
            "categories": Category.TAX | Category.WATER, "purpose": CREDIT, "not_before": 0,
            "expires_at": self.now() + 3600, "nonce": new_nonce(),
        }  # fmt: skip
        return Grant(**(fields | overrides))

    def grant(self, g: Grant, signer: Identity | None = None, by: Identity | None = None) -> ConsentId:
        """Sign ``g`` as ``signer`` (the enterprise) and submit it as ``by`` (the operator)."""
        signature = sign_typed(g, signer or self.enterprise, self.consents)
        self.consents.grant(self.send(by or self.operator), g, signature)
        return self.consents.consent_id(g)

    def advance_to(self, when: int) -> None:
        """Mine blocks until the latest block's timestamp reaches ``when``."""
        while (latest := int(self.chain.web3.eth.get_block("latest")["timestamp"])) < when:
            if self.backend == "anvil":  # Anvil's clock is the wall clock: move it instead of waiting
                self.chain.web3.provider.make_request("evm_increaseTime", [when - latest])  # type: ignore[arg-type]
            self.send(self.operator).transact({"to": self.operator.address, "value": Wei(0)})


def sign_typed(g: Grant, signer: Identity, consents: ConsentRegistry) -> bytes:
    """Anyone's EIP-712 signature of ``g`` (sign_grant refuses to sign for another account)."""
    signed = signer.account.sign_message(grant_message(g, consents.chain_id, consents.address))
    return bytes(signed.signature)


@pytest.fixture
def world(chain: Chain, backend: str, make_identity: Callable[[Role], Identity], sender: Senders) -> World:
    operator = make_identity(Role.OPERATOR)
    regulator = make_identity(Role.REGULATOR)
    dep = deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key,
                            [(regulator.address, regulator.org_id, regulator.signing_public_key)])
    record = deployment.deploy_contract(sender(operator), NAME, dep.contracts[REGISTRY].address)
    dep = dataclasses.replace(dep, contracts={**dep.contracts, NAME: record})
    consents = ConsentRegistry(deployment.contract(chain, dep, NAME))  # its code is the artifact's
    registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))
    enterprise, bank, other_bank = (make_identity(role) for role in (Role.ENTERPRISE, Role.BANK, Role.BANK))
    for who in (enterprise, bank, other_bank):  # an enterprise's org id is its pseudonym
        org = SUBJECT if who is enterprise else who.org_id
        registry.register(sender(operator), who.address, who.role, org, who.signing_public_key)
    return World(chain, backend, consents, operator, enterprise, bank, other_bank, sender)


def events(world: World, receipt: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e["event"], dict(e["args"])) for e in world.consents.contract.events(receipt)]


# ---- encoding --------------------------------------------------------------------------------


def test_python_digests_match_the_contract(world: World) -> None:
    g = world.terms()
    cid = world.consents.consent_id(g)
    assert world.consents.digest(g) == cid
    assert world.consents.revoke_digest(cid, 42) == revoke_digest(
        cid, 42, world.consents.chain_id, world.consents.address
    )
    fields, name, version, chain_id, contract, _, _ = world.consents.contract.call("eip712Domain")
    assert (fields, name, version) == (b"\x0f", "credtrace ConsentRegistry", "1")
    assert (chain_id, contract) == (world.consents.chain_id, world.consents.address)
    signature = world.consents.sign_grant(g, world.enterprise.account)
    assert Account._recover_hash(cid, signature=signature) == world.enterprise.address


# ---- granting --------------------------------------------------------------------------------


def test_a_grant_signed_by_the_enterprise_is_accepted_from_a_third_party(world: World) -> None:
    g = world.terms()
    signature = world.consents.sign_grant(g, world.enterprise.account)
    receipt = world.consents.grant(world.send(world.operator), g, signature)
    cid = world.consents.consent_id(g)
    (used, args_used), (granted, args) = events(world, receipt)
    assert (used, args_used) == ("NonceConsumed", {"enterprise": world.enterprise.address, "nonce": g.nonce})
    assert granted == "ConsentGranted"
    assert args == {
        "consentId": cid, "enterprise": g.enterprise, "bank": g.bank, "subject": SUBJECT,
        "categories": int(g.categories), "purpose": CREDIT, "notBefore": 0, "expiresAt": g.expires_at,
        "nonce": g.nonce, "signature": signature, "by": world.operator.address,
    }  # fmt: skip
    record = world.consents.consent(cid)
    assert record is not None and record.grant == g and not record.revoked
    assert world.consents.is_valid(cid, world.bank.address, Category.WATER, CREDIT)
    assert world.consents.is_valid(cid, world.bank.address, Category.TAX | Category.WATER, CREDIT)
    assert check(record, world.bank.address, Category.WATER, CREDIT, world.now(), subject=SUBJECT) is None
    assert world.consents.nonce_used(world.enterprise.address, g.nonce)
    world.grant(world.terms(), by=world.bank)  # the bank may submit too


def test_a_grant_signed_by_anyone_else_is_refused(world: World) -> None:
    g = world.terms()
    with pytest.raises(ContractRevert.named("BadSignature")) as caught:
        world.grant(g, signer=world.bank)
    assert caught.value.args_by_name == {"expected": world.enterprise.address, "recovered": world.bank.address}
    assert caught.value.contract == NAME
    with pytest.raises(ConsentError, match="cannot sign for enterprise"):
        world.consents.sign_grant(g, world.bank.account)
    assert world.consents.consent(world.consents.consent_id(g)) is None


def test_an_enterprise_consents_for_its_own_data_only(world: World) -> None:
    other = keccak(b"pseudonym of another enterprise")
    with pytest.raises(ContractRevert.named("SubjectNotEnterprise")) as caught:
        world.grant(world.terms(subject=other))
    assert caught.value.args_by_name == {"subject": other, "enterpriseOrgId": SUBJECT}


def test_malformed_signatures_are_refused(world: World) -> None:
    g = world.terms()
    good = world.consents.sign_grant(g, world.enterprise.account)
    r, s, v = good[:32], int.from_bytes(good[32:64], "big"), good[64]
    twin = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # recovers the same signer
    assert Account._recover_hash(world.consents.consent_id(g), signature=twin) == world.enterprise.address
    for signature, error in [
        (twin, "MalleableSignature"),
        (good[:64] + b"\x1d", "BadSignatureV"),
        (good[:64], "BadSignatureLength"),
        (b"", "BadSignatureLength"),
    ]:
        with pytest.raises(ContractRevert.named(error)):
            world.consents.grant(world.send(world.operator), g, signature)
    world.consents.grant(world.send(world.operator), g, good)


def test_only_an_enterprise_grants_and_only_to_a_bank(world: World) -> None:
    as_bank = world.terms(enterprise=world.other_bank.address)
    with pytest.raises(ContractRevert.named("MissingRole")) as caught:
        world.grant(as_bank, signer=world.other_bank)
    assert caught.value.args_by_name == {"account": world.other_bank.address, "role": Role.ENTERPRISE}
    to_non_bank = world.terms(bank=world.operator.address)
    with pytest.raises(ContractRevert.named("MissingRole")) as caught:
        world.grant(to_non_bank)
    assert caught.value.args_by_name == {"account": world.operator.address, "role": Role.BANK}


def test_a_nonce_signs_one_message(world: World) -> None:
    g = world.terms(nonce=7)
    world.grant(g)
    with pytest.raises(ContractRevert.named("NonceUsed")) as caught:
        world.grant(g)  # the same signed grant, replayed
    assert caught.value.args_by_name == {"enterprise": world.enterprise.address, "nonce": 7}
    with pytest.raises(ContractRevert.named("NonceUsed")):
        world.grant(world.terms(nonce=7, bank=world.other_bank.address))
    world.grant(world.terms(nonce=8))


def test_bad_terms_are_refused(world: World) -> None:
    now = world.now()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"subject": b"\0" * 32}, "EmptySubject"),
        ({"purpose": b"\0" * 32}, "EmptyPurpose"),
        ({"categories": 0}, "NoCategories"),
        ({"categories": 1024 | 1}, "UnknownCategories"),
        ({"expires_at": now - 60}, "ExpiryNotInFuture"),
        ({"not_before": now + 7200, "expires_at": now + 7200}, "EmptyWindow"),
    ]
    for overrides, error in cases:
        with pytest.raises(ContractRevert.named(error)):
            world.grant(world.terms(**overrides))


# ---- validity windows and scope --------------------------------------------------------------


def test_a_consent_not_yet_in_force(world: World) -> None:
    now = world.now()
    cid = world.grant(world.terms(not_before=now + 3600, expires_at=now + 7200))
    assert not world.consents.is_valid(cid, world.bank.address, Category.TAX, CREDIT)
    latest = int(world.chain.web3.eth.get_block("latest")["timestamp"])
    assert check(world.consents.consent(cid), world.bank.address, Category.TAX, CREDIT, latest) == "not yet valid"


def test_a_consent_expires(world: World) -> None:
    expires = world.now() + 3
    cid = world.grant(world.terms(expires_at=expires))
    assert world.consents.is_valid(cid, world.bank.address, Category.TAX, CREDIT)
    world.advance_to(expires)
    assert not world.consents.is_valid(cid, world.bank.address, Category.TAX, CREDIT)
    record = world.consents.consent(cid)
    assert check(record, world.bank.address, Category.TAX, CREDIT, expires) == "expired"
    assert check(record, world.bank.address, Category.TAX, CREDIT, expires - 1) is None


def test_requests_beyond_the_consent(world: World) -> None:
    cid = world.grant(world.terms(categories=Category.TAX | Category.ELECTRICITY))
    record, now, bank = world.consents.consent(cid), world.now(), world.bank.address
    cases: list[tuple[Address, int, bytes, str | None]] = [
        (bank, Category.TAX | Category.ELECTRICITY, CREDIT, None),
        (bank, Category.WATER, CREDIT, "category water not granted"),
        (bank, Category.TAX | Category.WATER | Category.GAS, CREDIT, "categories water, gas not granted"),
        (bank, Category.TAX, purpose("marketing"), "purpose differs"),
        (world.other_bank.address, Category.TAX, CREDIT, "granted to another bank"),
        (bank, 0, CREDIT, "no category requested"),
    ]
    for who, categories, why, reason in cases:
        assert world.consents.is_valid(cid, who, categories, why) == (reason is None)
        assert check(record, who, categories, why, now) == reason
    unknown = keccak(b"no such consent")
    assert world.consents.consent(unknown) is None
    assert not world.consents.is_valid(unknown, bank, Category.TAX, CREDIT)
    assert check(None, bank, Category.TAX, CREDIT, now) == "no such consent"


# ---- revocation ------------------------------------------------------------------------------


def test_revocation_signed_by_the_enterprise(world: World) -> None:
    cid = world.grant(world.terms())
    forged = world.consents.sign_revoke(cid, 1, world.bank.account)
    with pytest.raises(ContractRevert.named("BadSignature")):
        world.consents.revoke_signed(world.send(world.bank), cid, 1, forged)
    signature = world.consents.sign_revoke(cid, 1, world.enterprise.account)
    receipt = world.consents.revoke_signed(world.send(world.bank), cid, 1, signature)
    assert events(world, receipt) == [
        ("NonceConsumed", {"enterprise": world.enterprise.address, "nonce": 1}),
        ("ConsentRevoked", {"consentId": cid, "enterprise": world.enterprise.address, "signature": signature,
                            "by": world.bank.address}),
    ]  # fmt: skip
    record = world.consents.consent(cid)
    assert record is not None and record.revoked
    assert not world.consents.is_valid(cid, world.bank.address, Category.TAX, CREDIT)
    assert check(record, world.bank.address, Category.TAX, CREDIT, world.now()) == "revoked"
    again = world.consents.sign_revoke(cid, 2, world.enterprise.account)
    with pytest.raises(ContractRevert.named("AlreadyRevoked")):
        world.consents.revoke_signed(world.send(world.bank), cid, 2, again)
    other = world.grant(world.terms())
    replay = world.consents.sign_revoke(other, 1, world.enterprise.account)
    with pytest.raises(ContractRevert.named("NonceUsed")):
        world.consents.revoke_signed(world.send(world.bank), other, 1, replay)


def test_revocation_by_the_enterprise_itself(world: World) -> None:
    cid = world.grant(world.terms())
    with pytest.raises(ContractRevert.named("NotConsentEnterprise")) as caught:
        world.consents.revoke(world.send(world.bank), cid)
    assert caught.value.args_by_name == {"account": world.bank.address, "enterprise": world.enterprise.address}
    receipt = world.consents.revoke(world.send(world.enterprise), cid)
    assert events(world, receipt) == [
        ("ConsentRevoked", {"consentId": cid, "enterprise": world.enterprise.address, "signature": b"",
                            "by": world.enterprise.address}),
    ]  # fmt: skip
    assert not world.consents.is_valid(cid, world.bank.address, Category.TAX, CREDIT)
    assert check(world.consents.consent(cid), world.bank.address, Category.TAX, CREDIT, world.now()) == "revoked"
    with pytest.raises(ContractRevert.named("AlreadyRevoked")):
        world.consents.revoke(world.send(world.enterprise), cid)
    with pytest.raises(ContractRevert.named("UnknownConsent")):
        world.consents.revoke(world.send(world.enterprise), keccak(b"nothing"))


# ---- pure: once, no chain --------------------------------------------------------------------

ENTERPRISE = Account.from_key(b"\x01" * 32)
BANK = Account.from_key(b"\x02" * 32).address
CONTRACT = "0x" + "ab" * 20


def _record(**overrides: Any) -> Consent:
    g = Grant(ENTERPRISE.address, BANK, SUBJECT, Category.TAX, CREDIT, 100, 200, 1)
    fields: dict[str, Any] = {"id": ConsentId(b"\x11" * 32), "grant": g, "granted_at": 50, "revoked_at": 0}
    return Consent(**(fields | overrides))


def test_check_reads_the_window_as_half_open() -> None:
    record = _record()
    assert check(record, BANK, Category.TAX, CREDIT, 99) == "not yet valid"
    assert check(record, BANK, Category.TAX, CREDIT, 100) is None
    assert check(record, BANK, Category.TAX, CREDIT, 199) is None
    assert check(record, BANK, Category.TAX, CREDIT, 200) == "expired"
    assert check(_record(revoked_at=120), BANK, Category.TAX, CREDIT, 150) == "revoked"
    assert check(record, cast(Address, BANK.lower()), Category.TAX, CREDIT, 150) is None  # any spelling of the address
    assert check(record, BANK, Category.TAX, CREDIT, 150, subject=b"\x22" * 32) == "granted for another enterprise"
    assert check(record, BANK, Category.COURTS | 1024, CREDIT, 150) == "categories courts, bits 0x400 not granted"


def test_categories_and_ids() -> None:
    assert [c.value for c in Category] == [1 << i for i in range(9)] and ALL_CATEGORIES == 511
    assert purpose("credit-assessment") == keccak(b"credit-assessment")
    cid = consent_id(_record().grant, 1337, CONTRACT)
    assert parse_consent_id(consent_id_hex(cid)) == cid and len(consent_id_hex(cid)) == 66
    with pytest.raises(ConsentError):
        parse_consent_id("0x1234")
    with pytest.raises(ConsentError):
        Grant(ENTERPRISE.address, BANK, b"short", Category.TAX, CREDIT, 0, 1, 1)
    with pytest.raises(ConsentError):
        Grant(ENTERPRISE.address, cast(Address, "bank"), SUBJECT, Category.TAX, CREDIT, 0, 1, 1)
    with pytest.raises(ConsentError):
        Grant(ENTERPRISE.address, BANK, SUBJECT, Category.TAX, CREDIT, 0, 2**64, 1)
    signature = sign_grant(_record().grant, ENTERPRISE, 1337, CONTRACT)
    assert Account._recover_hash(cid, signature=signature) == ENTERPRISE.address


GRANT_TYPE = (
    b"Grant(address enterprise,address bank,bytes32 subject,uint256 categories,bytes32 purpose,"
    b"uint64 notBefore,uint64 expiresAt,uint256 nonce)"
)
DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


def reference_consent_id(g: Grant, chain_id: int, contract: str) -> bytes:
    """EIP-712 written out by hand: the slow, obvious reference."""
    domain = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(DOMAIN_TYPE), keccak(b"credtrace ConsentRegistry"), keccak(b"1"), chain_id, contract],
        )
    )
    types = ["bytes32", "address", "address", "bytes32", "uint256", "bytes32", "uint64", "uint64", "uint256"]
    struct = keccak(encode(types, [keccak(GRANT_TYPE), *g.as_tuple()]))
    return keccak(b"\x19\x01" + domain + struct)


@settings(max_examples=30, deadline=None)
@given(
    subject=st.binary(min_size=32, max_size=32),
    categories=st.integers(1, 511),
    window=st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1)),
    nonce=st.integers(0, 2**256 - 1),
    chain_id=st.integers(1, 2**64),
)
def test_consent_id_is_eip712_by_hand(
    subject: bytes, categories: int, window: tuple[int, int], nonce: int, chain_id: int
) -> None:
    g = Grant(ENTERPRISE.address, BANK, subject, Category(categories), CREDIT, *window, nonce)
    assert consent_id(g, chain_id, CONTRACT) == reference_consent_id(g, chain_id, CONTRACT)


def test_a_grant_is_bounded_in_purpose_and_period() -> None:
    """Issue 12: a purpose of any length and a period of any number of days used to be signed as given."""
    assert grant_terms("credit line review", 90, 1_000) == (purpose("credit line review"), 1_000 + 90 * 86_400)
    assert grant_terms("信" * 85, 1825, 0)[1] == 1825 * 86_400  # 255 bytes of UTF-8
    for text, days, message in [("x" * 257, 90, "at most 256 bytes"), ("信" * 86, 90, "this one has 258"),
                                ("bad \udcff", 90, "UTF-8 text"), ("", 90, "must not be empty"),
                                ("loan", 0, "1 to 1825 days"), ("loan", 1826, "not 1826"),
                                ("loan", 10**30, "1 to 1825 days")]:
        with pytest.raises(ConsentError, match=message):
            grant_terms(text, days, 0)
