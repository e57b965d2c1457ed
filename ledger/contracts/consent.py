"""Enterprises' consent to the use of their non-public data (seeds R4): the EIP-712 typed data of
``ConsentRegistry`` (contracts/ConsentRegistry.sol), pure; its client is ``consent_registry``.

An enterprise signs a :class:`Grant` as EIP-712 typed data (https://eips.ethereum.org/EIPS/eip-712):
bank ``bank`` may use ``categories`` of data about ``subject`` (the enterprise's pseudonym, never
its credit code) for ``purpose`` from ``not_before`` until ``expires_at``. Anyone submits it; the
contract checks the signature and both parties' roles. The consent id is the EIP-712 digest
the enterprise signed, ``keccak256(0x1901 || domainSeparator || hashStruct(Grant))`` — unique
across chains and deployments, and ``ecrecover(id, signature)`` is the enterprise. The access
gate reads the :class:`Consent` and asks :func:`check` why it does not cover a request.

Nonces are unordered uint256s (:func:`new_nonce`), shared by an enterprise's grants and
revocations: each signs at most one message. Times are Unix seconds (block timestamps).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import IntFlag
from typing import Any, NewType

from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from ledger.errors import LedgerError
from ledger.types import Address

DOMAIN_NAME = "credtrace ConsentRegistry"
DOMAIN_VERSION = "1"

ConsentId = NewType("ConsentId", bytes)
"""32 bytes: the EIP-712 digest of the grant; in provenance events ``0x`` + 64 lowercase hex."""


class ConsentError(LedgerError):
    """A grant, consent id or signing request is malformed (the message names the field)."""


class Category(IntFlag):
    """Data categories, one bit each, as the contract's ``categories`` bitmask."""

    TAX = 1
    SOCIAL_SECURITY = 2
    ELECTRICITY = 4
    WATER = 8
    GAS = 16
    CUSTOMS = 32
    IP = 64
    MARKET_SUPERVISION = 128
    COURTS = 256


ALL_CATEGORIES = Category(511)

EIP712_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Grant": [
        {"name": "enterprise", "type": "address"},
        {"name": "bank", "type": "address"},
        {"name": "subject", "type": "bytes32"},
        {"name": "categories", "type": "uint256"},
        {"name": "purpose", "type": "bytes32"},
        {"name": "notBefore", "type": "uint64"},
        {"name": "expiresAt", "type": "uint64"},
        {"name": "nonce", "type": "uint256"},
    ],
    "Revoke": [
        {"name": "consentId", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
    ],
}


@dataclass(frozen=True)
class Grant:
    """``ConsentRegistry.Grant``: what the enterprise signs."""

    enterprise: Address
    bank: Address
    subject: bytes
    """The enterprise's pseudonym, 32 bytes."""
    categories: Category
    purpose: bytes
    """32 bytes; :func:`purpose` of the purpose's text."""
    not_before: int
    expires_at: int
    nonce: int

    def __post_init__(self) -> None:
        for name in ("enterprise", "bank"):
            value = getattr(self, name)
            if not isinstance(value, str) or not is_address(value):
                raise ConsentError(f"{name} must be an address, not {value!r}")
            object.__setattr__(self, name, to_checksum_address(value))
        for name in ("subject", "purpose"):
            if not isinstance(getattr(self, name), bytes) or len(getattr(self, name)) != 32:
                raise ConsentError(f"{name} must be 32 bytes")
        for name, bits in (("categories", 256), ("not_before", 64), ("expires_at", 64), ("nonce", 256)):
            if not isinstance(getattr(self, name), int) or not 0 <= getattr(self, name) < 2**bits:
                raise ConsentError(f"{name} must be a uint{bits}")
        object.__setattr__(self, "categories", Category(self.categories))

    def message(self) -> dict[str, Any]:
        """The EIP-712 message (field names as in the Solidity struct)."""
        return dict(zip([f["name"] for f in EIP712_TYPES["Grant"]], self.as_tuple(), strict=True))

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple for the contract's ``Grant`` argument."""
        return (
            self.enterprise, self.bank, self.subject, int(self.categories), self.purpose,
            self.not_before, self.expires_at, self.nonce,
        )  # fmt: skip


@dataclass(frozen=True)
class Consent:
    """``ConsentRegistry.Consent``: a recorded grant and whether it was revoked."""

    id: ConsentId
    grant: Grant
    granted_at: int
    revoked_at: int
    """0 while the consent is in force."""

    @property
    def revoked(self) -> bool:
        return self.revoked_at != 0


def purpose(text: str) -> bytes:
    """A purpose as bytes32: keccak256 of its UTF-8 text, as Solidity's ``keccak256(bytes(text))``."""
    if not text:
        raise ConsentError("a purpose must not be empty")
    return keccak(text.encode())


MAX_PURPOSE_BYTES = 256
"""A purpose is a short statement ("credit line review"), read back and matched on every access; the
chain keeps only its hash, so the bound is for the people who read it, not for gas."""
MAX_DAYS = 1825
"""Five years: a consent is renewed by a new grant, never left open-ended (a typo of 90000 days is
refused rather than signed)."""


def grant_terms(text: str, days: int, now: int) -> tuple[bytes, int]:
    """(purpose hash, expiry) for a new grant of ``days`` from ``now``; ConsentError if the purpose is
    empty, over MAX_PURPOSE_BYTES or not UTF-8, or the period is not 1 to MAX_DAYS days."""
    try:
        size = len(text.encode())
    except UnicodeEncodeError as exc:
        raise ConsentError(f"a purpose must be UTF-8 text: {exc.reason} at character {exc.start}") from None
    if size > MAX_PURPOSE_BYTES:
        raise ConsentError(f"a purpose is at most {MAX_PURPOSE_BYTES} bytes of UTF-8; this one has {size}")
    if not 1 <= days <= MAX_DAYS:
        raise ConsentError(f"a consent is valid for 1 to {MAX_DAYS} days (five years), not {days}")
    return purpose(text), now + days * 86_400


def new_nonce() -> int:
    """A fresh random nonce: unordered nonces need no coordination between signers."""
    return secrets.randbits(256)


def consent_id_hex(consent_id: bytes) -> str:
    """The id as provenance events record it: ``0x`` + 64 lowercase hex."""
    return "0x" + as_bytes32(consent_id, "consent id").hex()


def parse_consent_id(text: str) -> ConsentId:
    """The inverse of :func:`consent_id_hex`."""
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise ConsentError(f"consent id {text!r} is not hex") from None
    return ConsentId(as_bytes32(raw, "consent id"))


# ---- EIP-712 ------------------------------------------------------------------------------


def _typed(primary: str, message: dict[str, Any], chain_id: int, contract: str) -> SignableMessage:
    domain = {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": contract}
    types = {"EIP712Domain": EIP712_TYPES["EIP712Domain"], primary: EIP712_TYPES[primary]}
    full = {"types": types, "primaryType": primary, "domain": domain, "message": message}
    return encode_typed_data(full_message=full)


def _digest(signable: SignableMessage) -> bytes:
    """EIP-712 §"Specification": keccak256(0x19 || 0x01 || domainSeparator || hashStruct(message))."""
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def grant_message(grant: Grant, chain_id: int, contract_address: str) -> SignableMessage:
    return _typed("Grant", grant.message(), chain_id, contract_address)


def revoke_message(consent_id: bytes, nonce: int, chain_id: int, contract_address: str) -> SignableMessage:
    message = {"consentId": as_bytes32(consent_id, "consent id"), "nonce": nonce}
    return _typed("Revoke", message, chain_id, contract_address)


def consent_id(grant: Grant, chain_id: int, contract_address: str) -> ConsentId:
    """The consent id: the EIP-712 digest of ``grant``, as the contract's ``digest(grant)``."""
    return ConsentId(_digest(grant_message(grant, chain_id, contract_address)))


def revoke_digest(consent_id: bytes, nonce: int, chain_id: int, contract_address: str) -> bytes:
    """The EIP-712 digest of ``Revoke(consentId, nonce)``, as the contract's ``revokeDigest``."""
    return _digest(revoke_message(consent_id, nonce, chain_id, contract_address))


def sign_grant(grant: Grant, enterprise_account: LocalAccount, chain_id: int, contract_address: str) -> bytes:
    """The enterprise's 65-byte EIP-712 signature (r || s || v, low s, v in {27, 28}) of ``grant``."""
    _require_signer(enterprise_account, grant.enterprise)
    return bytes(enterprise_account.sign_message(grant_message(grant, chain_id, contract_address)).signature)


def sign_revoke(
    consent_id: bytes, nonce: int, enterprise_account: LocalAccount, chain_id: int, contract_address: str
) -> bytes:
    """The enterprise's EIP-712 signature of ``Revoke(consentId, nonce)``."""
    signable = revoke_message(consent_id, nonce, chain_id, contract_address)
    return bytes(enterprise_account.sign_message(signable).signature)


def _require_signer(account: LocalAccount, enterprise: Address) -> None:
    if account.address != enterprise:
        raise ConsentError(f"{account.address} cannot sign for enterprise {enterprise}")


def as_bytes32(value: bytes, what: str) -> bytes:
    """``value`` if it is 32 bytes; ConsentError naming ``what`` otherwise."""
    if not isinstance(value, bytes) or len(value) != 32:
        raise ConsentError(f"{what} must be 32 bytes")
    return value


# ---- the gate's question ----------------------------------------------------------------


def check(
    consent: Consent | None, bank: Address, categories: Category | int, purpose: bytes, now: int,
    *, subject: bytes | None = None,
) -> str | None:  # fmt: skip
    """Why ``consent`` does not let ``bank`` use ``categories`` for ``purpose`` at ``now``
    (Unix seconds), or None when it does. Pass ``subject`` to also require that the consent is
    about that enterprise. Mirrors the contract's ``isValid``: in force on [not_before, expires_at).
    """
    if consent is None:
        return "no such consent"
    g = consent.grant
    if consent.revoked:
        return "revoked"
    if now >= g.expires_at:
        return "expired"
    if now < g.not_before:
        return "not yet valid"
    if to_checksum_address(bank) != g.bank:
        return "granted to another bank"
    if subject is not None and subject != g.subject:
        return "granted for another enterprise"
    if int(categories) == 0:
        return "no category requested"
    missing = int(categories) & ~int(g.categories)
    if missing:
        return _missing(missing)
    if purpose != g.purpose:
        return "purpose differs"
    return None


def _missing(bits: int) -> str:
    names = [c.name.lower() for c in Category if c & bits and c.name]
    unknown = bits & ~int(ALL_CATEGORIES)
    if unknown:
        names.append(f"bits {unknown:#x}")
    return f"category {names[0]} not granted" if len(names) == 1 else f"categories {', '.join(names)} not granted"
