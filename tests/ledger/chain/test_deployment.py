"""The deployment file, and refusing contracts whose on-chain code is not the artifact."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ledger.chain import Chain, deployment
from ledger.errors import DeploymentError
from ledger.types import Role


@pytest.fixture
def deployed(chain: Chain, make_identity, sender) -> deployment.Deployment:
    operator = make_identity(Role.OPERATOR)
    regulator = make_identity(Role.REGULATOR)
    return deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key,
                             [(regulator.address, regulator.org_id, regulator.signing_public_key)])


def test_round_trip_and_live(chain: Chain, deployed: deployment.Deployment, tmp_path: Path) -> None:
    path = tmp_path / "deployment.json"
    deployment.save(deployed, path)
    loaded = deployment.load(path)
    assert loaded == deployed
    assert loaded.chain_id == chain.web3.eth.chain_id
    assert loaded.endpoint == chain.endpoint
    record = loaded.contracts["ParticipantRegistry"]
    assert record.compiler.startswith("0.8.37")
    assert deployment.problems(chain, loaded) == []


def test_wrong_chain_id_is_a_problem(chain: Chain, deployed: deployment.Deployment) -> None:
    other = replace(deployed, chain_id=deployed.chain_id + 1)
    assert "the deployment is for" in deployment.problems(chain, other)[0]
    with pytest.raises(DeploymentError, match="refusing to use the deployment: chain id"):
        deployment.contract(chain, other, "ParticipantRegistry")


def test_code_that_differs_is_refused(chain: Chain, deployed: deployment.Deployment, make_identity) -> None:
    # An account with no code, then a contract whose code is not the registry's.
    empty = make_identity(Role.BANK).address
    gone = _with_address(deployed, empty)
    with pytest.raises(DeploymentError, match="no code at"):
        deployment.contract(chain, gone, "ParticipantRegistry")
    # Runtime code "STOP": a contract that is not ours.
    impostor = _deploy_raw(chain, make_identity(Role.BANK), bytes.fromhex("600180600b6000396000f300"))
    with pytest.raises(DeploymentError, match="differs from the artifact"):
        deployment.contract(chain, _with_address(deployed, impostor), "ParticipantRegistry")


def test_missing_file_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="run `credtrace deploy` first"):
        deployment.load(tmp_path / "deployment.json")


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deployment.json"
    path.write_text('{"format": "something-else/9"}')
    with pytest.raises(DeploymentError, match="not a credtrace-deployment/1 file"):
        deployment.load(path)


def _with_address(dep: deployment.Deployment, address: str) -> deployment.Deployment:
    record = replace(dep.contracts["ParticipantRegistry"], address=address)
    return replace(dep, contracts={"ParticipantRegistry": record})


def _deploy_raw(chain: Chain, who, init_code: bytes) -> str:
    from ledger.chain import TransactionSender

    receipt = TransactionSender(chain, who.account).transact({"data": init_code})
    return str(receipt["contractAddress"])
