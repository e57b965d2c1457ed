"""Shared by the ledger tests: the helpers in ``provenance/`` (``provenance_world``, ``ct_vectors``)
and ``catalogue/`` (``supply_world``): plain modules, put on the path here, and the ``deployed`` fixture."""

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.chain import DeployedContract, Identity, deployment
from ledger.contracts import ParticipantRegistry
from ledger.contracts.participant_registry import NAME as REGISTRY
from ledger.types import Role

for HELPERS in (str(Path(__file__).resolve().parent / "provenance"),
                str(Path(__file__).resolve().parent / "catalogue")):  # supply_world
    if HELPERS not in sys.path:
        sys.path.insert(0, HELPERS)

Deployed = tuple[Callable[[str], DeployedContract], list[Identity]]


@pytest.fixture
def deployed(chain, make_identity, sender) -> Callable[..., Deployed]:  # type: ignore[no-untyped-def]
    """``deployed(Role.REGULATOR, …)``: every contract deployed by a fresh operator, who registers one
    fresh participant per role given; returns (contract by name, [operator, *participants])."""

    def deploy(*roles: Role) -> Deployed:
        operator = make_identity(Role.OPERATOR)
        dep = deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key)
        registry = ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))
        people = [make_identity(role) for role in roles]
        for who in people:
            registry.register(sender(operator), who.address, who.role, who.org_id, who.signing_public_key)
        return (lambda name: deployment.contract(chain, dep, name)), [operator, *people]

    return deploy
