"""Client of ``ConsentRegistry`` (contracts/ConsentRegistry.sol): grants, revocations, the checks
it answers. What is signed — the EIP-712 ``Grant`` and ``Revoke`` — is in :mod:`ledger.contracts.consent`.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.consent import (
    Category,
    Consent,
    ConsentId,
    Grant,
    as_bytes32,
    consent_id,
    sign_grant,
    sign_revoke,
)
from ledger.errors import ContractRevert
from ledger.types import Address

NAME = "ConsentRegistry"


class ConsentRegistry:
    """Reads need only the contract; writes name the sender who submits."""

    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract
        self.chain_id = int(contract.chain.web3.eth.chain_id)

    @property
    def address(self) -> Address:
        return self.contract.address

    def consent_id(self, grant: Grant) -> ConsentId:
        return consent_id(grant, self.chain_id, self.address)

    def sign_grant(self, grant: Grant, enterprise_account: LocalAccount) -> bytes:
        return sign_grant(grant, enterprise_account, self.chain_id, self.address)

    def sign_revoke(self, consent_id: bytes, nonce: int, enterprise_account: LocalAccount) -> bytes:
        return sign_revoke(consent_id, nonce, enterprise_account, self.chain_id, self.address)

    # ---- reads ------------------------------------------------------------------------

    def consent(self, consent_id: bytes) -> Consent | None:
        """The recorded consent, or None when there is none with that id."""
        try:
            grant, granted_at, revoked_at = self.contract.call("consent", as_bytes32(consent_id, "consent id"))
        except ContractRevert.named("UnknownConsent"):
            return None
        return Consent(ConsentId(consent_id), Grant(*grant), granted_at, revoked_at)

    def is_valid(self, consent_id: bytes, bank: Address, categories: Category | int, purpose: bytes) -> bool:
        return bool(self.contract.call("isValid", consent_id, bank, int(categories), purpose))

    def nonce_used(self, enterprise: Address, nonce: int) -> bool:
        return bool(self.contract.call("nonceUsed", enterprise, nonce))

    def digest(self, grant: Grant) -> bytes:
        """The contract's own EIP-712 digest of ``grant``: a cross-check of :func:`consent_id`."""
        return bytes(self.contract.call("digest", grant.as_tuple()))

    def revoke_digest(self, consent_id: bytes, nonce: int) -> bytes:
        return bytes(self.contract.call("revokeDigest", consent_id, nonce))

    # ---- writes -----------------------------------------------------------------------

    def grant(self, by: TransactionSender, grant: Grant, signature: bytes) -> TxReceipt:
        """Submit ``grant`` with the enterprise's ``signature``; ``by`` may be anyone."""
        return self.contract.transact(by, "grant", grant.as_tuple(), signature)

    def revoke(self, by: TransactionSender, consent_id: bytes) -> TxReceipt:
        """The enterprise revokes from its own account (``by`` must be the enterprise)."""
        return self.contract.transact(by, "revoke", consent_id)

    def revoke_signed(self, by: TransactionSender, consent_id: bytes, nonce: int, signature: bytes) -> TxReceipt:
        """Submit the enterprise's signed revocation; ``by`` may be anyone."""
        return self.contract.transact(by, "revokeSigned", consent_id, nonce, signature)
