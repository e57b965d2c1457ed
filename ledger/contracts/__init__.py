"""Typed clients of credtrace's contracts, one module per Solidity contract in ``contracts/`` (and the
consent's signed typed data beside its client).

- ``participant_registry``  who may act: roles, organisation ids, signing keys, status
- ``consent``               what an enterprise signs: EIP-712 grants and revocations, consent ids, the check
- ``consent_registry``      the ConsentRegistry client: grants, revocations, validity on chain
- ``sanctions_list``        enterprises under joint punishment (seeds R9)
- ``model_registry``        credit models, servable between a regulator's approval and retirement
- ``provenance_log``        tree heads of the provenance log anchored on chain, on-chain proofs
- ``loan_ledger``           applications, oracle decisions, loans, the loss-sharing policy and the pools
- ``reason``                reasons on chain: documented codes, else the SHA-256 of a text kept off chain

Each client wraps a :class:`~ledger.chain.DeployedContract`, returns typed records and takes a
:class:`~ledger.chain.TransactionSender` for the participant who acts; ``NAME`` in each module is the
contract's name in the deployment file.
"""

from ledger.contracts.consent_registry import ConsentRegistry
from ledger.contracts.model_registry import ModelRegistry
from ledger.contracts.participant_registry import Participant, ParticipantRegistry
from ledger.contracts.provenance_log import ProvenanceLog
from ledger.contracts.sanctions_list import SanctionsList

__all__ = ["ConsentRegistry", "ModelRegistry", "Participant", "ParticipantRegistry", "ProvenanceLog", "SanctionsList"]
