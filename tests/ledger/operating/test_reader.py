"""The reader's edge: a node that fails ``eth_getLogs`` (a cap on results, a lost connection) is one
ChainError naming the contract and the block range, not a traceback from web3."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ledger.errors import ChainError
from ledger.operating.reader import read


def test_a_node_that_fails_eth_get_logs_is_a_chain_error_naming_the_range() -> None:
    asked: list[tuple[object, object]] = []

    def refuses(query: dict[str, object]) -> list[object]:
        asked.append((query["fromBlock"], query["toBlock"]))
        raise ValueError("query returned more than 10000 results")

    eth = SimpleNamespace(block_number=25_000, chain_id=7, get_logs=refuses)
    contract = SimpleNamespace(chain=SimpleNamespace(web3=SimpleNamespace(eth=eth)), address="0x" + "cc" * 20,
                               artifact=SimpleNamespace(name="LoanLedger"),
                               event=lambda name: SimpleNamespace(topic="0x" + "00" * 32))
    with pytest.raises(ChainError, match="eth_getLogs for LoanLedger over blocks 3 to 10002 failed: query returned"):
        read(contract, 3)  # type: ignore[arg-type]
    assert asked == [(3, 10_002)]
