"""Shared by the ledger tests: the ``deployed`` fixture. (The plain helper modules beside it —
``provenance_world``, ``supply_world``, ``loan_world``, ``ledger_story`` … — are put on the path by
tests/conftest.py, as the API tests use them too.)"""

from collections.abc import Callable

import pytest

from ledger.chain import DeployedContract, Identity, deployment
from ledger.contracts import ParticipantRegistry
from ledger.contracts.participant_registry import NAME as REGISTRY
from ledger.types import Role

Deployed = tuple[Callable[[str], DeployedContract], list[Identity]]


@pytest.fixture
def deployed(chain, make_identity, sender) -> Callable[..., Deployed]:  # type: ignore[no-untyped-def]
    """``deployed(Role.REGULATOR, …)``: every contract deployed by a fresh operator with a genesis
    regulator (the first REGULATOR given, else one more), then one fresh participant per role given:
    the operator registers it, or the genesis regulator appoints it if it is a regulator or an auditor
    (alone while it is the only regulator, as the tests need no more); returns (contract by name,
    [operator, *participants])."""

    def deploy(*roles: Role) -> Deployed:
        operator = make_identity(Role.OPERATOR)
        people = [make_identity(role) for role in roles]
        regulator = next((who for who in people if who.role is Role.REGULATOR), make_identity(Role.REGULATOR))
        dep = deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key,
                                [(regulator.address, regulator.org_id, regulator.signing_public_key)])
        registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))
        for who in (p for p in people if p is not regulator):
            if who.role in (Role.REGULATOR, Role.AUDITOR):
                registry.propose_appointment(sender(regulator), who.address, who.role, who.org_id,
                                             who.signing_public_key)
            else:
                registry.register(sender(operator), who.address, who.role, who.org_id, who.signing_public_key)
        return (lambda name: deployment.contract(chain, dep, name)), [operator, *people]

    return deploy
