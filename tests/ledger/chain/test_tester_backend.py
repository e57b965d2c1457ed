"""The in-process chain's block gas limit: eth-tester's by default, raised for a benchmark that
measures a transaction larger than a devnet block (scripts/bench/loan_gas.py: a decideBatch of 100)."""

from __future__ import annotations

from ledger.chain.backends.tester import EthTesterChain


def test_the_block_gas_limit_is_eth_testers_unless_given() -> None:
    assert EthTesterChain().web3.eth.get_block("latest")["gasLimit"] < 31_000_000
    assert EthTesterChain(gas_limit=100_000_000).web3.eth.get_block("latest")["gasLimit"] == 100_000_000
