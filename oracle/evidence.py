"""What the chain says about the application a signed decision record names: the :class:`~oracle.verify.Evidence`
a bank checks the record against, read from events and views alone (no platform database).

The bank names one thing it trusts, the LoanLedger's address (``--loans`` or its deployment file); the rest
is found from it: ``registry()`` and ``models()`` on the LoanLedger, and the ProvenanceLog from the
deployment file or, failing that, as the contract that anchored the witnesses' checkpoint, accepted only if
it answers to the same registry. Each contract's code must be its artifact's (they have no immutables), so
nothing is read from code we did not compile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.exceptions import EncodingError
from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from ledger.chain import Chain, artifact
from ledger.chain.contract import DeployedContract
from ledger.contracts import ModelRegistry, ParticipantRegistry, ProvenanceLog
from ledger.contracts.loan_ledger import LoanLedger, product_code
from ledger.contracts.model_registry import id_bytes
from ledger.contracts.participant_registry import key_as_of
from ledger.errors import ContractRevert, DeploymentError, LedgerError, VerificationError
from ledger.provenance.witness import WitnessCheck
from ledger.types import Role
from oracle import record
from oracle.claim import Claim
from oracle.verify import Decided, Evidence, Position, Proven, Signer

UINT256 = 2**256
MALFORMED = (ValueError, TypeError, KeyError, OverflowError, EncodingError)
"""What a hostile witness can raise before the check can say why it fails."""


@dataclass(frozen=True)
class Contracts:
    loans: LoanLedger
    registry: ParticipantRegistry
    models: ModelRegistry
    log: ProvenanceLog | None


def genuine(chain: Chain, name: str, address: str) -> DeployedContract:
    """The contract ``name`` at ``address``; DeploymentError if its code is not the artifact's."""
    if not is_address(address):
        raise DeploymentError(f"{address!r} is not an address")
    found = artifact.load(name)
    if keccak(bytes(chain.web3.eth.get_code(to_checksum_address(address)))) != found.code_hash:
        raise DeploymentError(f"the code at {address} is not a {name} (not the artifact's)")
    return DeployedContract(chain, found, to_checksum_address(address))


def contracts_from(chain: Chain, loans: str, log: str | None = None) -> Contracts:
    """The LoanLedger at ``loans`` and the registries it points to (the ProvenanceLog at ``log`` if known)."""
    ledger = LoanLedger(genuine(chain, "LoanLedger", loans))
    registry = ParticipantRegistry(genuine(chain, "ParticipantRegistry", ledger.contract.call("registry")))
    models = ModelRegistry(genuine(chain, "ModelRegistry", ledger.contract.call("models")))
    return Contracts(ledger, registry, models, ProvenanceLog(genuine(chain, "ProvenanceLog", log)) if log else None)


def with_log_of(contracts: Contracts, witnesses: Sequence[Mapping[str, Any]]) -> Contracts:
    """``contracts`` with the ProvenanceLog that anchored the first witness's checkpoint, if none was known;
    refused unless it answers to the same ParticipantRegistry."""
    if contracts.log is not None or not witnesses:
        return contracts
    chain = contracts.loans.contract.chain
    try:
        tx = chain.web3.eth.get_transaction(witnesses[0]["anchor"]["tx"])
    except Exception as exc:  # a malformed or unknown hash: web3 raises several kinds
        raise VerificationError(f"the witnesses' anchoring transaction cannot be read: {exc}") from None
    log = ProvenanceLog(genuine(chain, "ProvenanceLog", str(tx["to"])))
    if log.contract.call("registry") != contracts.registry.contract.address:
        raise VerificationError("the witnesses' ProvenanceLog answers to another ParticipantRegistry")
    return Contracts(contracts.loans, contracts.registry, contracts.models, log)


def gather(contracts: Contracts, claim: Claim, witnesses: Sequence[Mapping[str, Any]] | None = None) -> Evidence:
    """Everything :func:`oracle.verify.checks` needs about the application ``claim`` names."""
    loans, d = contracts.loans, claim.decision
    web3 = loans.contract.chain.web3
    chain_id, known = int(web3.eth.chain_id), 0 < d.application_id < UINT256
    decided = _decided(loans, d.application_id) if known else None
    at = decided.at if decided else (int(web3.eth.block_number), 2**31)
    votes = _votes(loans, d.application_id) if known else {}
    signers = {keyid: _signer(contracts.registry, keyid, votes, at[0]) for keyid in claim.envelope.signatures}
    approved, retired = _model_life(contracts.models, d.model_id)
    proven, root = _proofs(contracts, claim, witnesses) if witnesses is not None else (None, None)
    application = _applied(loans, d.application_id, chain_id) if known else None
    return Evidence(chain_id, loans.contract.address, application, decided, _quorum_at(loans, at), signers,
                    approved, retired, proven, root)


def _position(log: Any) -> Position:
    return int(log["blockNumber"]), int(log["logIndex"])


def _logs(contract: DeployedContract, event: str, **filters: Any) -> list[Any]:
    logs = contract.event(event).get_logs(from_block=0, argument_filters=filters or None)
    return sorted(logs, key=_position)


def _applied(loans: LoanLedger, application_id: int, chain_id: int) -> record.Application | None:
    for log in _logs(loans.contract, "Applied", applicationId=application_id):
        a = log["args"]
        return record.Application(chain_id, loans.contract.address, application_id, a["bank"],
                                  bytes(a["subject"]).hex(), bytes(a["consentId"]).hex(), int(a["amount"]),
                                  int(a["termMonths"]), product_code(bytes(a["productId"])))
    return None


def _decided(loans: LoanLedger, application_id: int) -> Decided | None:
    for log in _logs(loans.contract, "Decided", applicationId=application_id):
        a = log["args"]
        return Decided(bool(a["approved"]), int(a["limit"]), int(a["rateBps"]), int(a["pdPpm"]), int(a["score"]),
                       bytes(a["modelId"]).hex(), bytes(a["recordHash"]).hex(), _position(log),
                       "0x" + bytes(log["transactionHash"]).hex())
    return None


def _votes(loans: LoanLedger, application_id: int) -> dict[str, tuple[str, int]]:
    """Oracle account → (record hash, block) of its ``DecisionSubmitted`` for the application."""
    return {log["args"]["oracle"]: (bytes(log["args"]["recordHash"]).hex(), int(log["blockNumber"]))
            for log in _logs(loans.contract, "DecisionSubmitted", applicationId=application_id)}


def _signer(registry: ParticipantRegistry, keyid: str, votes: Mapping[str, tuple[str, int]], decided: int) -> Signer:
    """The keyid's role, and its key at the block it submitted the decision (else the decision's block)."""
    if not is_address(keyid):
        return Signer(Role.NONE, None, decided, None)
    account = to_checksum_address(keyid)
    submitted, block = votes.get(account, (None, decided))
    try:
        role = registry.participant(account).role
        key: bytes | None = key_as_of(registry.key_history(account), block)
    except (ContractRevert, LookupError):
        role, key = Role.NONE, None
    return Signer(role, key, block, submitted)


def _model_life(models: ModelRegistry, model_id: str) -> tuple[Position | None, Position | None]:
    """Where the model was (first) approved and (first) retired, if ever."""
    try:
        raw = id_bytes(model_id)
    except LedgerError:
        return None, None
    approved = _logs(models.contract, "ModelApproved", modelId=raw)
    retired = _logs(models.contract, "ModelRetired", modelId=raw)
    return (_position(approved[0]) if approved else None), (_position(retired[0]) if retired else None)


def _quorum_at(loans: LoanLedger, at: Position) -> int:
    """The quorum of the policy version set last before ``at``; 1 before any (LossSharing.quorum)."""
    earlier = [log for log in _logs(loans.contract, "PolicySet") if _position(log) < at]
    return loans.policy(int(earlier[-1]["args"]["version"])).quorum if earlier else 1


def _proofs(contracts: Contracts, claim: Claim, witnesses: Sequence[Mapping[str, Any]]
            ) -> tuple[dict[int, Proven], str | None]:
    """Each cited event's witness checked against the chain; the root anchored for the record's checkpoint."""
    cited, checkpoint = claim.decision.access_events, claim.decision.checkpoint
    try:
        contracts = with_log_of(contracts, witnesses)
    except LedgerError as exc:  # no ProvenanceLog to check them against: none is proved
        return {i: Proven(None, str(exc)) for i in cited}, None
    if contracts.log is None:
        return {}, None
    check = WitnessCheck(contracts.log, contracts.registry)
    by_index = {w["event_id"]: w for w in witnesses if isinstance(w, Mapping) and type(w.get("event_id")) is int}
    proven = {i: _proven(check, by_index[i]) for i in cited if i in by_index}
    return proven, _anchored_root(contracts.log, checkpoint.tree_size) if checkpoint else None


def _proven(check: WitnessCheck, witness: Mapping[str, Any]) -> Proven:
    try:
        check(witness)
    except (LedgerError, *MALFORMED) as exc:  # a witness's numbers the ABI cannot even encode are as bad
        return Proven(None, str(exc))
    return Proven(witness["event"])


def _anchored_root(log: ProvenanceLog, tree_size: int) -> str | None:
    if not 0 < tree_size < UINT256:
        return None
    try:
        return log.root_of(tree_size).hex()
    except ContractRevert:
        return None
