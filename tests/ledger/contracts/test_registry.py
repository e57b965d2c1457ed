"""ParticipantRegistry, run on every backend (in-process py-evm and a real Anvil)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ledger.chain import Chain, Identity, TransactionSender, deployment
from ledger.contracts.participant_registry import NAME, ParticipantRegistry
from ledger.contracts.reason import encode
from ledger.errors import ContractRevert
from ledger.types import Role, Status

Senders = Callable[[Identity], TransactionSender]


@dataclass
class World:
    registry: ParticipantRegistry
    operator: Identity
    regulator: Identity
    bank: Identity
    send: Senders

    def as_(self, who: Identity) -> TransactionSender:
        return self.send(who)


@pytest.fixture
def world(chain: Chain, make_identity: Callable[[Role], Identity], sender: Senders) -> World:
    operator, regulator = make_identity(Role.OPERATOR), make_identity(Role.REGULATOR)
    dep = deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key, [genesis(regulator)])
    registry = ParticipantRegistry(deployment.contract(chain, dep, NAME))
    w = World(registry, operator, regulator, make_identity(Role.BANK), sender)
    registry.register(sender(operator), w.bank.address, Role.BANK, w.bank.org_id, w.bank.signing_public_key)
    return w


def genesis(who: Identity) -> deployment.Genesis:
    return (who.address, who.org_id, who.signing_public_key)


def propose(world: World, by: Identity, who: Identity, role: Role | None = None) -> int:
    """``by`` proposes ``who`` in its key's role (or ``role``); the proposal's id."""
    receipt = world.registry.propose_appointment(
        world.as_(by), who.address, role or who.role, who.org_id, who.signing_public_key)
    return int(events(world, receipt)[0][1]["id"])


def events(world: World, receipt: object) -> list[tuple[str, dict[str, object]]]:
    return [(e["event"], dict(e["args"])) for e in world.registry.contract.events(receipt)]  # type: ignore[arg-type]


def test_deployer_is_owner_and_first_operator(world: World) -> None:
    assert world.registry.owner() == world.operator.address
    me = world.registry.participant(world.operator.address)
    assert (me.role, me.status) == (Role.OPERATOR, Status.ACTIVE)
    assert me.org_id == world.operator.org_id
    assert me.signing_key == world.operator.signing_public_key
    assert world.registry.has_role(world.operator.address, Role.OPERATOR)


def test_operator_registers_a_bank_and_an_event_says_so(world: World, make_identity) -> None:
    bank = make_identity(Role.BANK)
    receipt = world.registry.register(
        world.as_(world.operator), bank.address, Role.BANK, bank.org_id, bank.signing_public_key
    )
    [(name, args)] = events(world, receipt)
    assert name == "ParticipantRegistered"
    assert args["account"] == bank.address and args["role"] == Role.BANK
    assert args["signingKey"] == bank.signing_public_key and args["by"] == world.operator.address
    assert world.registry.has_role(bank.address, Role.BANK)
    assert not world.registry.has_role(bank.address, Role.REGULATOR)
    assert [p.account for p in world.registry.participants()][-1] == bank.address


def test_register_without_the_role_is_a_named_error(world: World, make_identity) -> None:
    stranger = make_identity(Role.BANK)
    with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
        world.registry.register(
            world.as_(world.bank), stranger.address, Role.BANK, stranger.org_id, stranger.signing_public_key
        )
    assert caught.value.error == "NotAuthorized"
    assert caught.value.args_by_name == {"account": world.bank.address, "role": Role.OPERATOR}
    assert caught.value.contract == NAME
    assert str(caught.value) == f"{NAME}: NotAuthorized(account={world.bank.address}, role=OPERATOR)"


def test_only_the_owner_adds_operators(world: World, make_identity) -> None:
    second = make_identity(Role.OPERATOR)
    world.registry.register(
        world.as_(world.operator), second.address, Role.OPERATOR, second.org_id, second.signing_public_key
    )
    third = make_identity(Role.OPERATOR)
    with pytest.raises(ContractRevert.named("NotOwner")) as caught:
        world.registry.register(
            world.as_(second), third.address, Role.OPERATOR, third.org_id, third.signing_public_key
        )
    assert caught.value.args_by_name == {"account": second.address}
    world.registry.register(
        world.as_(second), third.address, Role.BANK, third.org_id, third.signing_public_key
    )
    assert world.registry.has_role(third.address, Role.BANK)


@pytest.mark.parametrize(
    ("role", "org", "key", "error"),
    [
        (Role.NONE, b"o" * 32, b"k" * 32, "InvalidRole"),
        (Role.BANK, b"\0" * 32, b"k" * 32, "EmptyOrgId"),
        (Role.BANK, b"o" * 32, b"\0" * 32, "EmptySigningKey"),
    ],
)
def test_bad_registrations_are_refused(world: World, make_identity, role, org, key, error) -> None:
    who = make_identity(Role.BANK)
    with pytest.raises(ContractRevert.named(error)):
        world.registry.register(world.as_(world.operator), who.address, role, org, key)


def test_registering_twice_is_refused(world: World) -> None:
    with pytest.raises(ContractRevert.named("AlreadyRegistered")) as caught:
        world.registry.register(
            world.as_(world.operator),
            world.bank.address,
            Role.BANK,
            world.bank.org_id,
            world.bank.signing_public_key,
        )
    assert caught.value.args_by_name == {"account": world.bank.address}


def test_bank_exits_for_good(world: World) -> None:
    receipt = world.registry.exit(world.as_(world.operator), world.bank.address, "left the pilot")
    [(name, args)] = events(world, receipt)
    assert name == "StatusChanged"
    assert (args["from"], args["to"]) == (Status.ACTIVE, Status.EXITED)
    assert args["reason"] == encode("left the pilot").raw
    assert not world.registry.has_role(world.bank.address, Role.BANK)
    assert world.registry.may_transact(world.bank.address)  # to run off its loans (R8)
    with pytest.raises(ContractRevert.named("InvalidTransition")) as caught:
        world.registry.reinstate(world.as_(world.regulator), world.bank.address, "back")
    assert caught.value.args_by_name["from"] == Status.EXITED
    with pytest.raises(ContractRevert.named("InvalidTransition")):
        world.registry.exit(world.as_(world.operator), world.bank.address, "again")


def test_participant_may_exit_itself_but_not_others(world: World) -> None:
    with pytest.raises(ContractRevert.named("NotAuthorized")):
        world.registry.exit(world.as_(world.bank), world.regulator.address, "no")
    world.registry.exit(world.as_(world.bank), world.bank.address, "closing the branch")
    assert world.registry.participant(world.bank.address).status == Status.EXITED


def test_regulator_suspends_and_reinstates(world: World, make_identity) -> None:
    second = make_identity(Role.OPERATOR)
    world.registry.register(world.as_(world.operator), second.address, Role.OPERATOR, second.org_id,
                            second.signing_public_key)
    world.registry.suspend(world.as_(world.regulator), world.bank.address, "inquiry")
    assert world.registry.participant(world.bank.address).status == Status.SUSPENDED
    assert not world.registry.is_active(world.bank.address)
    assert not world.registry.has_role(world.bank.address, Role.BANK)
    assert not world.registry.may_transact(world.bank.address)
    world.registry.suspend(world.as_(world.operator), second.address, "inquiry")  # operators: the owner's
    with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
        world.registry.register(world.as_(second), world.bank.address, Role.BANK, b"o" * 32, b"k" * 32)
    assert caught.value.args_by_name["role"] == Role.OPERATOR
    receipt = world.registry.reinstate(world.as_(world.regulator), world.bank.address, "cleared")
    assert events(world, receipt)[0][1]["to"] == Status.ACTIVE
    assert world.registry.has_role(world.bank.address, Role.BANK)


def test_only_a_regulator_suspends(world: World) -> None:
    with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
        world.registry.suspend(world.as_(world.operator), world.bank.address, "no")
    assert caught.value.args_by_name == {"account": world.operator.address, "role": Role.REGULATOR}
    with pytest.raises(ContractRevert.named("InvalidTransition")):
        world.registry.reinstate(world.as_(world.regulator), world.bank.address, "not suspended")


def test_unknown_account_is_not_registered(world: World, make_identity) -> None:
    nobody = make_identity(Role.BANK)
    with pytest.raises(ContractRevert.named("NotRegistered")):
        world.registry.participant(nobody.address)
    with pytest.raises(ContractRevert.named("NotRegistered")):
        world.registry.suspend(world.as_(world.regulator), nobody.address, "who")
    assert not world.registry.is_active(nobody.address)


def test_ownership_moves_in_two_steps_to_an_operator(world: World, make_identity) -> None:
    new = make_identity(Role.OPERATOR)
    world.registry.register(world.as_(world.operator), new.address, Role.OPERATOR, new.org_id,
                            new.signing_public_key)
    with pytest.raises(ContractRevert.named("NotAuthorized")):
        world.registry.transfer_ownership(world.as_(world.operator), world.regulator.address)
    with pytest.raises(ContractRevert.named("NotOwner")):
        world.registry.transfer_ownership(world.as_(new), new.address)
    receipt = world.registry.transfer_ownership(world.as_(world.operator), new.address)
    assert events(world, receipt)[0][0] == "OwnershipTransferStarted"
    assert world.registry.owner() == world.operator.address
    assert world.registry.pending_owner() == new.address
    with pytest.raises(ContractRevert.named("NotPendingOwner")):
        world.registry.accept_ownership(world.as_(world.bank))
    receipt = world.registry.accept_ownership(world.as_(new))
    [(name, args)] = events(world, receipt)
    assert (name, args["previousOwner"], args["newOwner"]) == (
        "OwnershipTransferred",
        world.operator.address,
        new.address,
    )
    assert world.registry.owner() == new.address
    with pytest.raises(ContractRevert.named("NotOwner")):
        world.registry.transfer_ownership(world.as_(world.operator), world.operator.address)


def test_signing_key_rotation(world: World) -> None:
    receipt = world.registry.rotate_signing_key(world.as_(world.bank), b"\x42" * 32)
    [(name, args)] = events(world, receipt)
    assert name == "SigningKeyRotated"
    assert (args["previousKey"], args["newKey"]) == (world.bank.signing_public_key, b"\x42" * 32)
    assert world.registry.participant(world.bank.address).signing_key == b"\x42" * 32
    world.registry.suspend(world.as_(world.regulator), world.bank.address, "inquiry")
    with pytest.raises(ContractRevert.named("NotAuthorized")):
        world.registry.rotate_signing_key(world.as_(world.bank), b"\x43" * 32)


def test_a_mined_revert_is_replayed_into_its_named_error(world: World) -> None:
    """With gas given, nothing is estimated: the revert happens in a block."""
    data = world.registry.contract._web3_contract.encode_abi(
        "suspend", args=[world.bank.address, encode("x").raw]
    )
    with pytest.raises(ContractRevert.named("NotAuthorized")):
        world.as_(world.bank).transact({"to": world.registry.contract.address, "data": data, "gas": 100_000})


def test_a_second_operator_cannot_remove_the_owner_or_a_regulator(world: World, make_identity) -> None:
    """Operators exit banks (R8); only the owner touches operators; regulators are not the operator's."""
    second = make_identity(Role.OPERATOR)
    world.registry.register(world.as_(world.operator), second.address, Role.OPERATOR, second.org_id,
                            second.signing_public_key)
    for target, error in ((world.operator, "NotOwner"), (world.regulator, "NotAuthorized")):
        with pytest.raises(ContractRevert.named(error)):
            world.registry.exit(world.as_(second), target.address, "takeover")
    for action in (world.registry.suspend, world.registry.exit):
        with pytest.raises(ContractRevert.named("NotOwner")):
            action(world.as_(world.regulator), second.address, "no")
    world.registry.exit(world.as_(second), world.bank.address, "left the pilot")
    world.registry.exit(world.as_(world.operator), second.address, "replaced")
    assert world.registry.participant(second.address).status == Status.EXITED


def test_the_platform_keeps_its_owner_and_an_active_regulator(world: World, make_identity) -> None:
    with pytest.raises(ContractRevert.named("OwnerMustStay")):
        world.registry.exit(world.as_(world.operator), world.operator.address, "leaving")
    with pytest.raises(ContractRevert.named("LastActiveRegulator")):
        world.registry.exit(world.as_(world.regulator), world.regulator.address, "leaving")
    with pytest.raises(ContractRevert.named("LastActiveRegulator")):
        world.registry.suspend(world.as_(world.regulator), world.regulator.address, "self")
    other = make_identity(Role.REGULATOR)
    propose(world, world.regulator, other)  # the only regulator: a majority on its own
    assert world.registry.contract.call("activeRegulators") == 2
    world.registry.suspend(world.as_(other), world.regulator.address, "inquiry")
    with pytest.raises(ContractRevert.named("LastActiveRegulator")):
        world.registry.exit(world.as_(other), other.address, "leaving")
    world.registry.reinstate(world.as_(other), world.regulator.address, "cleared")
    world.registry.exit(world.as_(other), other.address, "leaving")
    assert world.registry.contract.call("activeRegulators") == 1


def test_an_enterprise_org_id_has_one_holder_until_it_exits(world: World, make_identity) -> None:
    """A second account carrying enterprise 1's pseudonym could grant consent over its data."""
    first, second, third = (make_identity(Role.ENTERPRISE) for _ in range(3))
    org = b"\x07" * 32
    world.registry.register(world.as_(world.operator), first.address, Role.ENTERPRISE, org, first.signing_public_key)
    with pytest.raises(ContractRevert.named("OrgIdTaken")) as caught:
        world.registry.register(world.as_(world.operator), second.address, Role.ENTERPRISE, org,
                                second.signing_public_key)
    assert caught.value.args_by_name["holder"] == first.address
    world.registry.register(world.as_(world.operator), second.address, Role.BANK, org, second.signing_public_key)
    world.registry.exit(world.as_(first), first.address, "new key")
    world.registry.register(world.as_(world.operator), third.address, Role.ENTERPRISE, org, third.signing_public_key)
    assert world.registry.has_role(third.address, Role.ENTERPRISE)


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.AUDITOR])
def test_the_operator_cannot_make_a_regulator_or_an_auditor(world: World, make_identity, role: Role) -> None:
    """Issue 12 (high): an account the operator controls, made REGULATOR, could approve the operator's
    own model and suspend the real regulator. Those who check the operator are not the operator's."""
    puppet = make_identity(role)
    with pytest.raises(ContractRevert.named("AppointedByRegulators")) as caught:
        world.registry.register(world.as_(world.operator), puppet.address, role, puppet.org_id,
                                puppet.signing_public_key)
    assert caught.value.args_by_name == {"role": role}
    for act in (lambda: propose(world, world.operator, puppet),
                lambda: world.registry.approve_appointment(world.as_(world.operator), 0)):
        with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
            act()
        assert caught.value.args_by_name == {"account": world.operator.address, "role": Role.REGULATOR}
    assert world.registry.contract.call("proposalCount") == 0
    assert not world.registry.is_active(puppet.address)


def test_genesis_registers_the_first_regulators_and_needs_one(chain: Chain, make_identity, sender) -> None:
    operator, first, second = make_identity(Role.OPERATOR), make_identity(Role.REGULATOR), make_identity(Role.REGULATOR)
    dep = deployment.deploy(sender(operator), operator.org_id, operator.signing_public_key,
                            [genesis(first), genesis(second)])
    registry = ParticipantRegistry(deployment.contract(chain, dep, NAME))
    assert [(p.account, p.role) for p in registry.participants()] == [
        (operator.address, Role.OPERATOR), (first.address, Role.REGULATOR), (second.address, Role.REGULATOR)]
    assert registry.contract.call("activeRegulators") == 2 and registry.approvals_needed() == 2
    key = operator.org_id, operator.signing_public_key
    refused = [([], "NoGenesisRegulator"),
               ([(first.address, int(Role.AUDITOR), first.org_id, first.signing_public_key)], "InvalidRole"),
               ([(operator.address, int(Role.REGULATOR), *key)], "AlreadyRegistered")]  # one role per account
    for regulators, error in refused:
        with pytest.raises(ContractRevert.named(error)):
            deployment.deploy_contract(sender(operator), NAME, *key, regulators)


def test_an_appointment_is_enacted_by_a_majority_of_the_active_regulators(world: World, make_identity) -> None:
    second, auditor = make_identity(Role.REGULATOR), make_identity(Role.AUDITOR)
    assert world.registry.approvals_needed() == 1
    propose(world, world.regulator, second)  # 1 of 1: enacted at once
    assert world.registry.has_role(second.address, Role.REGULATOR)
    assert world.registry.approvals_needed() == 2
    receipt = world.registry.propose_appointment(world.as_(world.regulator), auditor.address, Role.AUDITOR,
                                                 auditor.org_id, auditor.signing_public_key)
    assert [name for name, _ in events(world, receipt)] == ["AppointmentProposed", "AppointmentApproved"]
    assert events(world, receipt)[1][1] | {"by": None} == {"id": 1, "by": None, "approvals": 1, "needed": 2}
    assert not world.registry.is_active(auditor.address)
    with pytest.raises(ContractRevert.named("AlreadyApproved")) as caught:
        world.registry.approve_appointment(world.as_(world.regulator), 1)
    assert caught.value.args_by_name == {"id": 1, "regulator": world.regulator.address}
    receipt = world.registry.approve_appointment(world.as_(second), 1)
    assert [name for name, _ in events(world, receipt)] == [
        "AppointmentApproved", "ParticipantRegistered", "AppointmentEnacted"]
    assert events(world, receipt)[1][1]["by"] == second.address
    assert world.registry.has_role(auditor.address, Role.AUDITOR)
    assert world.registry.proposal(1).enacted and world.registry.proposal(1).proposer == world.regulator.address
    with pytest.raises(ContractRevert.named("ProposalEnacted")):
        world.registry.approve_appointment(world.as_(world.regulator), 1)
    with pytest.raises(ContractRevert.named("UnknownProposal")):
        world.registry.approve_appointment(world.as_(world.regulator), 2)
    with pytest.raises(ContractRevert.named("NotAuthorized")):  # an auditor does not appoint
        propose(world, auditor, make_identity(Role.AUDITOR))
    with pytest.raises(ContractRevert.named("InvalidRole")):  # nor do regulators appoint banks
        propose(world, world.regulator, make_identity(Role.BANK))


def test_an_approval_counts_only_while_its_regulator_is_active(world: World, make_identity) -> None:
    second, third, auditor = make_identity(Role.REGULATOR), make_identity(Role.REGULATOR), make_identity(Role.AUDITOR)
    propose(world, world.regulator, second)
    world.registry.approve_appointment(world.as_(second), propose(world, world.regulator, third))
    assert world.registry.contract.call("activeRegulators") == 3
    pending = propose(world, world.regulator, auditor)  # 1 of the 2 needed
    world.registry.suspend(world.as_(second), world.regulator.address, "inquiry")
    assert world.registry.proposal(pending).approvals == 0
    world.registry.approve_appointment(world.as_(second), pending)  # 1 of 2: the suspended one's is gone
    assert not world.registry.is_active(auditor.address)
    world.registry.approve_appointment(world.as_(third), pending)
    assert world.registry.has_role(auditor.address, Role.AUDITOR)


def test_an_account_holds_one_role_for_good(world: World, make_identity) -> None:
    """Nobody re-roles an account: not the operator, not the regulators, not after an exit."""
    with pytest.raises(ContractRevert.named("AlreadyRegistered")):
        world.registry.register(world.as_(world.operator), world.regulator.address, Role.BANK,
                                world.regulator.org_id, world.regulator.signing_public_key)
    with pytest.raises(ContractRevert.named("AlreadyRegistered")):
        propose(world, world.regulator, world.bank, Role.AUDITOR)
    world.registry.exit(world.as_(world.bank), world.bank.address, "left")
    with pytest.raises(ContractRevert.named("AlreadyRegistered")):
        propose(world, world.regulator, world.bank, Role.REGULATOR)
    second, late = make_identity(Role.REGULATOR), make_identity(Role.AUDITOR)
    propose(world, world.regulator, second)
    pending = propose(world, world.regulator, late)
    world.registry.register(world.as_(world.operator), late.address, Role.BANK, late.org_id, late.signing_public_key)
    with pytest.raises(ContractRevert.named("AlreadyRegistered")):  # registered meanwhile: never enacted
        world.registry.approve_appointment(world.as_(second), pending)
    assert world.registry.participant(late.address).role == Role.BANK
