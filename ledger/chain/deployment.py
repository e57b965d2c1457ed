"""The deployment file: which contracts live where, on which chain, from which artifacts.

Loading a deployment checks the chain id and that each contract's on-chain runtime code
hashes to its artifact's; a mismatch raises DeploymentError rather than talking to code
we did not compile.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_utils.address import to_canonical_address, to_checksum_address
from eth_utils.crypto import keccak

from ledger.chain import artifact
from ledger.chain.contract import DeployedContract
from ledger.chain.protocol import Chain
from ledger.chain.sender import TransactionSender
from ledger.errors import DeploymentError
from ledger.types import Address, Role

FORMAT = "credtrace-deployment/1"


@dataclass(frozen=True)
class ContractRecord:
    address: Address
    artifact_sha256: str
    code_hash: str
    compiler: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    endpoint: str
    deployer: Address
    contracts: dict[str, ContractRecord] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Deployment:
        doc = json.loads(text)
        if doc.pop("format", None) != FORMAT:
            raise DeploymentError(f"not a {FORMAT} file")
        records = {k: ContractRecord(**v) for k, v in doc.pop("contracts").items()}
        return cls(contracts=records, **doc)


def load(path: Path) -> Deployment:
    try:
        return Deployment.from_json(path.read_text())
    except FileNotFoundError:
        raise DeploymentError(f"no deployment at {path}: run `credtrace deploy` first") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise DeploymentError(f"{path} is not a readable deployment file: {exc}") from exc


def save(deployment: Deployment, path: Path) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one; the owner's
    alone (0600), like everything under the home."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a temporary left by a crash keeps the mode it was created with
    with os.fdopen(fd, "w") as fh:
        fh.write(deployment.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def problems(chain: Chain, deployment: Deployment) -> list[str]:
    """What does not match between ``deployment`` and ``chain``; empty when it is live."""
    chain_id = chain.web3.eth.chain_id
    if chain_id != deployment.chain_id:
        return [f"chain id is {chain_id}, the deployment is for {deployment.chain_id}"]
    return [p for name in deployment.contracts if (p := _code_problem(chain, deployment, name))]


def _code_problem(chain: Chain, deployment: Deployment, name: str) -> str | None:
    record = deployment.contracts[name]
    code = bytes(chain.web3.eth.get_code(record.address))
    if not code:
        return f"{name}: no code at {record.address}"
    expected = artifact.load(name).code_hash
    if keccak(code) != expected:
        return f"{name}: code at {record.address} differs from the artifact ({name}.json)"
    return None


def contract(chain: Chain, deployment: Deployment, name: str) -> DeployedContract:
    """The deployed ``name``, after checking that its code is the artifact's."""
    if name not in deployment.contracts:
        raise DeploymentError(f"{name} is not in the deployment")
    found = problems(
        chain,
        Deployment(
            deployment.chain_id, deployment.endpoint, deployment.deployer, {name: deployment.contracts[name]}
        ),
    )
    if found:
        raise DeploymentError("refusing to use the deployment: " + "; ".join(found))
    return DeployedContract(chain, artifact.load(name), deployment.contracts[name].address)


def registry_locator(path: Path) -> Callable[[], bytes | None]:
    """For the devnet's admission: the registry address in the deployment file at ``path``
    (re-read when the file changes), or None while there is none."""
    cache: dict[str, tuple[float, bytes | None]] = {}

    def locate() -> bytes | None:
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return None
        if str(path) not in cache or cache[str(path)][0] != mtime:
            record = load(path).contracts.get("ParticipantRegistry")
            cache[str(path)] = (mtime, to_canonical_address(record.address) if record else None)
        return cache[str(path)][1]

    return locate


def deploy_contract(sender: TransactionSender, name: str, *args: Any) -> ContractRecord:
    """Deploy the artifact of ``name`` with constructor ``args``; return its record."""
    art = artifact.load(name)
    factory = sender.chain.web3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    data = factory.constructor(*args).data_in_transaction
    receipt = sender.transact({"data": data})
    created = receipt["contractAddress"]
    if created is None:
        raise DeploymentError(f"deploying {name} created no contract")
    address = to_checksum_address(created)
    return ContractRecord(
        address=address,
        artifact_sha256=art.sha256,
        code_hash="0x" + art.code_hash.hex(),
        compiler=art.compiler_version,
        tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
        block_number=receipt["blockNumber"],
    )


Genesis = tuple[Address, bytes, bytes]
"""A genesis regulator: (account, org id, Ed25519 public key)."""


def deploy(
    sender: TransactionSender, operator_org_id: bytes, operator_key: bytes, regulators: Sequence[Genesis]
) -> Deployment:
    """Deploy every credtrace contract, the sender becoming owner and first operator, ``regulators``
    the first regulators: genesis is the one time the deployer names a regulator (issue 12); the
    regulators appoint every later regulator and auditor."""
    genesis = [(account, int(Role.REGULATOR), org, key) for account, org, key in regulators]
    registry = deploy_contract(sender, "ParticipantRegistry", operator_org_id, operator_key, genesis)
    contracts = {"ParticipantRegistry": registry}
    # Each of the others asks the registry who may act.
    for name in ("ProvenanceLog", "ConsentRegistry", "SanctionsList", "ModelRegistry"):
        contracts[name] = deploy_contract(sender, name, registry.address)
    # The loans ask the registry, the consents, the sanctions and the models.
    asked = ("ParticipantRegistry", "ConsentRegistry", "SanctionsList", "ModelRegistry")
    contracts["LoanLedger"] = deploy_contract(sender, "LoanLedger", *(contracts[name].address for name in asked))
    return Deployment(
        chain_id=sender.chain.web3.eth.chain_id,
        endpoint=sender.chain.endpoint,
        deployer=sender.address,
        contracts=contracts,
    )
