"""Enterprises: grant and revoke consents (seeds R4) and see who used their data (R5).

The enterprise signs its EIP-712 grant or revocation itself, on its own machine (``ConsentRegistry.
sign_grant`` / ``sign_revoke``, with the domain ``GET /v1/consents/domain`` gives); the request carries the
signed fields and the operator submits them, as ``credtrace consent grant|revoke`` does
(:mod:`api.actions.consents`). The chain checks the signature, the subject and the roles; a signature that
does not verify is answered 422 ``verification-failed``, any other refusal 409 ``contract-revert``.

``GET /v1/enterprises/me/usage`` lists the ACCESS, OUTPUT and DENIED events about the caller's pseudonym
(:mod:`api.actions.usage`, the selection ``audit trace`` makes).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Depends, Path, Request
from pydantic import AfterValidator, BaseModel, Field

from api.actions import consents, usage
from api.actions.loan_args import JSON_INT
from api.http.auth import Caller, DataReader, Signed, with_role
from api.http.problems import NOT_FOUND, NOT_OWNER, VERIFICATION, Problem
from api.http.routes.owned import refused_read
from api.http.service import Service, service
from ledger.contracts.consent import Category, Consent, Grant, consent_id_hex, parse_consent_id
from ledger.errors import ContractRevert
from ledger.types import Role

router = APIRouter(tags=["enterprises"])
Svc = Annotated[Service, Depends(service)]
Enterprise = Annotated[Caller, Depends(with_role(Role.ENTERPRISE))]
HEX32 = r"^0x[0-9a-fA-F]{64}$"
ADDRESS = r"^0x[0-9a-fA-F]{40}$"
DECIMAL = r"^[0-9]{1,78}$"
BAD_SIGNATURES = ("BadSignature", "BadSignatureLength", "BadSignatureV", "MalleableSignature")
ALL = functools.reduce(operator.or_, Category)
ConsentIdPath = Annotated[str, Path(pattern=HEX32, description="The consent id, 0x and 64 hex digits")]


def _uint256(text: str) -> str:
    if int(text) >= 2**256:
        raise ValueError("a nonce is a uint256: below 2**256")
    return text


Nonce = Annotated[str, Field(pattern=DECIMAL, description="uint256, as decimal text"), AfterValidator(_uint256)]
Signature = Annotated[str, Field(pattern=r"^0x([0-9a-fA-F]{2}){0,200}$", description="EIP-712 signature, 0x hex")]


class DomainAnswer(BaseModel):
    """The EIP-712 domain a grant is signed in, and the caller's subject (its pseudonym, its org id)."""

    chain_id: int
    verifying_contract: str
    subject: str


class GrantBody(BaseModel):
    """``ConsentRegistry.Grant``'s fields (bytes32 as 0x hex, the nonce as decimal text) and the enterprise's
    EIP-712 signature (65 bytes, 0x hex)."""

    enterprise: str = Field(pattern=ADDRESS)
    bank: str = Field(pattern=ADDRESS)
    subject: str = Field(pattern=HEX32)
    categories: int = Field(ge=0, le=int(ALL), description="ConsentRegistry's category bits")
    purpose: str = Field(pattern=HEX32)
    not_before: int = Field(ge=0, le=JSON_INT, description="Unix seconds")
    expires_at: int = Field(ge=0, le=JSON_INT, description="Unix seconds")
    nonce: Nonce
    signature: Signature


class RevokeBody(BaseModel):
    nonce: Nonce
    signature: Signature


class ConsentAnswer(BaseModel):
    consent_id: str
    enterprise: str
    bank: str
    subject: str
    categories: list[str]
    purpose: str
    not_before: int
    expires_at: int
    granted_at: int
    revoked_at: int


@router.get("/v1/consents/domain")
def consent_domain(caller: Signed, svc: Svc) -> DomainAnswer:
    """What the signer needs besides the grant's terms: chain id, ConsentRegistry, its own subject."""
    d = consents.domain(svc.platform)
    return DomainAnswer(chain_id=d.chain_id, verifying_contract=d.verifying_contract,
                        subject="0x" + caller.org_id.hex())


@router.post("/v1/consents", status_code=201, responses={
    403: {"description": "role-forbidden, or not-owner: the grant is another enterprise's"},
    409: {"description": "contract-revert: the chain refused the grant"},
    422: {"description": "verification-failed: the signature is not the enterprise's"}})
def grant(body: GrantBody, caller: Enterprise, svc: Svc) -> ConsentAnswer:
    """Submit the enterprise's signed grant (``credtrace consent grant``); the consent as recorded."""
    if body.enterprise.lower() != caller.account.lower():
        raise Problem(NOT_OWNER, f"the grant names enterprise {body.enterprise}; the request is signed by "
                                 f"{caller.account}")
    g = Grant(to_checksum_address(body.enterprise), to_checksum_address(body.bank), _raw(body.subject),
              Category(body.categories), _raw(body.purpose), body.not_before, body.expires_at, int(body.nonce))
    with svc.writing() as p, _signature_checked():
        cid = consents.submit_grant(p, g, _raw(body.signature))
    return _shown(_found(svc, cid))


@router.post("/v1/consents/{consent_id}/revocation", responses={
    403: {"description": "not-owner: another enterprise's consent"},
    409: {"description": "contract-revert: unknown or already revoked, nonce used"},
    422: {"description": "verification-failed: the signature is not the enterprise's"}})
def revoke(consent_id: ConsentIdPath, body: RevokeBody, caller: Enterprise, svc: Svc) -> ConsentAnswer:
    """Submit the enterprise's signed revocation (``credtrace consent revoke``); the consent as it is now."""
    found = _found(svc, consent_id)
    if found.grant.enterprise != caller.account:
        raise Problem(NOT_OWNER, f"consent {consent_id} is another enterprise's")
    with svc.writing() as p, _signature_checked():
        consents.submit_revoke(p, found.id, int(body.nonce), _raw(body.signature))
    return _shown(_found(svc, consent_id))


@router.get("/v1/consents")
def my_consents(caller: Signed, svc: Svc) -> list[ConsentAnswer]:
    """The consents the caller granted (an enterprise) or was granted (a bank), revoked ones too."""
    if caller.role not in (Role.ENTERPRISE, Role.BANK):
        raise Problem(NOT_OWNER, "consents are listed for the enterprise that granted them and the bank they name")
    side = "enterprise" if caller.role is Role.ENTERPRISE else "bank"
    return [_shown(c) for c in consents.of_participant(svc.platform, **{side: caller.account})]


@router.get("/v1/enterprises/me/usage")
def my_usage(caller: DataReader, svc: Svc, request: Request) -> list[usage.Use]:
    """Who used the caller's data: ACCESS, OUTPUT and DENIED events about its pseudonym, oldest first."""
    if caller.role is not Role.ENTERPRISE:
        raise refused_read(request, svc, caller, "an enterprise's data use is shown to the enterprise alone "
                                                 "(auditors: audit trace)")
    return usage.of_enterprise(svc.platform.engine, caller.org_id.hex())


def _raw(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _found(svc: Service, consent_id: str) -> Consent:
    found = svc.platform.consents.consent(parse_consent_id(consent_id))
    if found is None:
        raise Problem(NOT_FOUND, f"no consent {consent_id}")
    return found


@contextmanager
def _signature_checked() -> Iterator[None]:
    """A signature the contract refuses is the request's fault: 422 verification-failed, not a 409."""
    try:
        yield
    except ContractRevert as exc:
        if exc.error in BAD_SIGNATURES:
            raise Problem(VERIFICATION, f"the signature is not the enterprise's: {exc}") from exc
        raise


def _shown(c: Consent) -> ConsentAnswer:
    g = c.grant
    return ConsentAnswer(consent_id=consent_id_hex(c.id), enterprise=g.enterprise, bank=g.bank,
                         subject="0x" + g.subject.hex(), categories=[str(x.name).lower() for x in g.categories],
                         purpose="0x" + g.purpose.hex(), not_before=g.not_before, expires_at=g.expires_at,
                         granted_at=c.granted_at, revoked_at=c.revoked_at)
