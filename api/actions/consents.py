"""Consents (seeds R4): the enterprise signs an EIP-712 grant or revocation itself
(``ConsentRegistry.sign_grant`` / ``sign_revoke``, on its own machine when it is remote) and the operator
submits it, so the enterprise needs no gas and a suspended one can still revoke. ``credtrace consent
grant|revoke`` and ``POST /v1/consents`` (``/v1/consents/{id}/revocation``) both submit here; the
chain checks the signature, the subject and the roles (``contracts/ConsentRegistry.sol``)."""

from __future__ import annotations

from dataclasses import dataclass

from api import ApiError
from api.platform import Platform
from ledger.chain import TransactionSender
from ledger.contracts.consent import Category, Consent, Grant, consent_id_hex
from ledger.types import Address


@dataclass(frozen=True)
class Domain:
    """What a signer needs besides the grant: the EIP-712 domain's chain id and verifying contract."""

    chain_id: int
    verifying_contract: str


def domain(p: Platform) -> Domain:
    return Domain(p.consents.chain_id, p.consents.address)


def categories(names: list[str]) -> Category:
    """``tax``, ``social_security``, … as the flags a grant carries; ApiError naming the known ones."""
    wanted = Category(0)
    for name in names:
        try:
            wanted |= Category[name.upper()]
        except KeyError:
            known = ", ".join(str(c.name).lower() for c in Category)
            raise ApiError(f"unknown category {name!r}; known: {known}") from None
    return wanted


def submit_grant(p: Platform, grant: Grant, signature: bytes) -> str:
    """The enterprise's signed grant, submitted by the operator; the consent id (0x hex)."""
    p.consents.grant(TransactionSender(p.chain, p.operator.account), grant, signature)
    return consent_id_hex(p.consents.consent_id(grant))


def submit_revoke(p: Platform, consent_id: bytes, nonce: int, signature: bytes) -> None:
    """The enterprise's signed revocation (EIP-712 ``Revoke``), submitted by the operator."""
    p.consents.revoke_signed(TransactionSender(p.chain, p.operator.account), consent_id, nonce, signature)


def of_participant(p: Platform, enterprise: Address | None = None, bank: Address | None = None) -> list[Consent]:
    """The consents an enterprise granted, or a bank was granted, as the chain holds them now (revoked too)."""
    wanted = {k: v for k, v in (("enterprise", enterprise), ("bank", bank)) if v is not None}
    logs = p.consents.contract.event("ConsentGranted").get_logs(from_block=0, argument_filters=wanted)
    found = (p.consents.consent(bytes(log["args"]["consentId"])) for log in logs)
    return [c for c in found if c is not None]
