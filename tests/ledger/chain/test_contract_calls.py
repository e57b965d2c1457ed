"""``DeployedContract.call`` (eth-abi straight from the ABI) answers as web3's contract functions do; reads
pinned to a block (``ledger.chain.reads``) see that block and ask the node once per distinct call; a
receipt's events are decoded by their topic, all of them or those named. On every backend."""

from __future__ import annotations

from typing import Any

import pytest
from web3.logs import DISCARD

from ledger.chain import TransactionSender
from ledger.chain.reads import pinned
from ledger.contracts import ParticipantRegistry
from ledger.contracts.participant_registry import NAME as REGISTRY
from ledger.types import Role, Status


def test_calls_answer_as_web3_does(deployed) -> None:  # type: ignore[no-untyped-def]
    contract, (operator, bank) = deployed(Role.BANK)
    registry = contract(REGISTRY)
    web3_fn = registry._web3_contract.functions
    for function, args in [("participant", [bank.address]), ("owner", []), ("participantAt", [0]),
                           ("approvalsNeeded", []), ("hasRole", [bank.address, int(Role.BANK)])]:
        assert registry.call(function, *args) == getattr(web3_fn, function)(*args).call(), function
    assert registry.call("owner") == operator.address  # checksummed, as web3 gives it
    consents = contract("ConsentRegistry")
    assert consents.call("eip712Domain") == consents._web3_contract.functions.eip712Domain().call()


def test_pinned_reads_see_their_block_and_ask_once(deployed, chain, sender, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    contract, (_, regulator, bank) = deployed(Role.REGULATOR, Role.BANK)
    registry = ParticipantRegistry(contract(REGISTRY))
    asked: list[Any] = []
    eth = type(chain.web3.eth)
    call = eth.call
    monkeypatch.setattr(eth, "call", lambda self, tx, block=None: asked.append(block) or call(self, tx, block))
    with pinned(chain) as block:
        before = registry.participant(bank.address)
        registry.suspend(sender(regulator), bank.address, "test")
        assert registry.participant(bank.address) == before and before.status is Status.ACTIVE
        assert asked == [block]  # once, at the pinned block
    assert registry.participant(bank.address).status is Status.SUSPENDED


def test_a_pin_holds_for_its_chain_alone(deployed, chain) -> None:  # type: ignore[no-untyped-def]
    from ledger.chain.reads import pin_of

    deployed(Role.BANK)
    with pinned(chain):
        assert pin_of(chain) is not None and pin_of(object()) is None  # type: ignore[arg-type]
    assert pin_of(chain) is None


def test_events_are_decoded_by_topic_all_or_those_named(deployed, sender) -> None:  # type: ignore[no-untyped-def]
    contract, (_, regulator, bank) = deployed(Role.REGULATOR, Role.BANK)
    registry = contract(REGISTRY)
    receipt = registry.transact(sender(regulator), "suspend", bank.address, b"test".ljust(32, b"\0"))
    every = list(registry.events(receipt))
    web3_events = sorted((e for event in registry._web3_contract.all_events()
                          for e in event.process_receipt(receipt, DISCARD)), key=lambda e: e["logIndex"])
    assert every == web3_events and every
    name = every[0]["event"]
    assert [e["event"] for e in registry.events(receipt, name)] == [e["event"] for e in every if e["event"] == name]
    assert list(registry.events(receipt, "NoSuchEvent")) == []


def test_a_given_gas_limit_is_sent_unestimated(deployed, sender, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    contract, (_, regulator, bank) = deployed(Role.REGULATOR, Role.BANK)
    monkeypatch.setattr(TransactionSender, "estimate_gas", lambda *_: pytest.fail("estimated"))
    why = b"test".ljust(32, b"\0")
    receipt = contract(REGISTRY).transact(sender(regulator), "suspend", bank.address, why, gas=200_000)
    assert receipt["status"] == 1 and receipt["gasUsed"] < 200_000
