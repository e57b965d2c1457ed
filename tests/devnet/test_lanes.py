"""Call lanes (devnet.lanes): light calls at once, heavy ones one at a time, none lost."""

from __future__ import annotations

import threading

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, Web3RPCError

from devnet.errors import LimitExceeded, OutOfGasAtAllowance
from devnet.lanes import LIGHT_GAS, CallLanes

TAG = b"\x01" * 32


def _needs(gas_needed: int, seen: list[int]):  # type: ignore[no-untyped-def]
    def execute(gas: int) -> int:
        seen.append(gas)
        if gas < gas_needed:
            raise OutOfGasAtAllowance(f"gas required exceeds allowance ({gas})")
        return gas_needed
    return execute


def test_a_light_call_runs_once_with_the_light_allowance() -> None:
    seen: list[int] = []
    assert CallLanes().run(_needs(50_000, seen), 30_000_000) == 50_000
    assert seen == [LIGHT_GAS]


def test_a_call_out_of_light_gas_runs_again_with_its_whole_allowance() -> None:
    seen: list[int] = []
    assert CallLanes().run(_needs(2_000_000, seen), 30_000_000) == 2_000_000
    assert seen == [LIGHT_GAS, 30_000_000]


def test_a_call_allowed_less_than_the_light_lane_runs_once_with_its_own_allowance() -> None:
    seen: list[int] = []
    with pytest.raises(OutOfGasAtAllowance):
        CallLanes().run(_needs(60_000, seen), 50_000)
    assert seen == [50_000]


def test_heavy_calls_run_one_at_a_time_and_a_waiter_past_its_limit_is_told_busy() -> None:
    lanes, inside, release = CallLanes(wait_seconds=0.2), threading.Event(), threading.Event()

    def hold(gas: int) -> int:
        if gas == LIGHT_GAS:
            raise OutOfGasAtAllowance("light")
        inside.set()
        release.wait(5)
        return gas

    holder = threading.Thread(target=lanes.run, args=(hold, 30_000_000))
    holder.start()
    assert inside.wait(5)
    with pytest.raises(LimitExceeded, match="busy"):
        lanes.run(_needs(2_000_000, []), 30_000_000)
    assert lanes.run(_needs(10, []), 30_000_000) == 10  # a light call is not held up
    release.set()
    holder.join(5)
    assert lanes.run(_needs(2_000_000, []), 30_000_000) == 2_000_000


def test_calls_and_estimates_beyond_the_light_lane_are_answered_in_full(
    w3: Web3, counter: Contract, accounts: list[LocalAccount]
) -> None:
    heavy = counter.functions.bumpMany(TAG, 1_000)
    sender = {"from": accounts[0].address}
    assert heavy.call(sender) == []
    estimate = heavy.estimate_gas(sender)
    assert LIGHT_GAS < estimate < w3.eth.get_block("latest")["gasLimit"]
    with pytest.raises((Web3RPCError, ContractLogicError), match="gas required exceeds allowance"):
        counter.functions.bumpMany(TAG, 100_000).call(sender)


def test_work_one_at_a_time_waits_for_the_heavy_lane() -> None:
    lanes, inside, release = CallLanes(wait_seconds=0.2), threading.Event(), threading.Event()
    holder = threading.Thread(target=lanes.one_at_a_time, args=(lambda: (inside.set(), release.wait(5)),))
    holder.start()
    assert inside.wait(5)
    with pytest.raises(LimitExceeded, match="busy"):
        lanes.one_at_a_time(lambda: 1)
    release.set()
    holder.join(5)
    assert lanes.one_at_a_time(lambda: 2) == 2
