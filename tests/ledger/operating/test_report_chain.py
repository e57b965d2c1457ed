"""The operating ledger on a chain: scripted loans over two banks and two districts, then the report
(``ledger.operating``: eth_getLogs by block range, the fold) equals the ledger recomputed in the test
with web3 alone (``ledger_story.recompute``), and its pools and loans equal the contract's own state.

On the devnet (14 s) and Anvil (2 s); eth-tester takes 35 s for the same story's ~80 transactions and
reads its logs through the same web3 calls, so it is left out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ledger_story import play, recompute
from loan_world import JIANGBEI, YUZHONG, build

from ledger.chain import Chain, Identity, TransactionSender
from ledger.operating import fold
from ledger.operating.document import to_json
from ledger.operating.reader import read
from ledger.types import Role


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["devnet", "anvil"])
def test_the_report_is_the_ledger_recomputed_from_the_logs(
        chain: Chain, backend: str, make_identity: Callable[[Role], Identity],
        sender: Callable[[Identity], TransactionSender]) -> None:
    world = build(chain, backend, make_identity, sender)
    apps = play(world)
    start = chain.web3.eth.block_number - 40
    reading = read(world.loans.contract, 0, chunk=7)  # many small ranges: none lost at their edges
    doc = to_json(fold(reading.events, reading.source))

    assert doc.pop("source") == {"chainId": chain.web3.eth.chain_id, "contract": world.loans.contract.address,
                                 "fromBlock": 0, "toBlock": reading.source.to_block}
    assert start < reading.source.to_block <= chain.web3.eth.block_number
    assert doc == recompute(chain.web3, world.loans.contract.address)
    # The chain's state agrees with the events: every pool, every loan's outstanding.
    for pool in doc["pools"]:
        state = world.loans.pool(pool["pool"])
        assert (state.deposits, state.paid, state.returned, state.balance, state.shortfall) == tuple(
            pool[k] for k in ("deposits", "paid", "returned", "balance", "shortfall"))
    assert doc["totals"]["outstanding"] == sum(world.loans.loan(a).outstanding for a in apps.values())

    # The story, as a person would check it.
    totals = doc["totals"]
    assert (totals["applications"], totals["approved"], totals["declined"], totals["loans"]) == (9, 7, 1, 6)
    assert [p["pool"] for p in doc["pools"]] == [0, YUZHONG, JIANGBEI]
    jiangbei = doc["pools"][2]
    assert jiangbei["shortfall"] > 0 and jiangbei["balance"] == jiangbei["returned"]  # drained, then paid back
    assert (totals["overdueLoans"], totals["defaultedLoans"], totals["nplLoans"]) == (2, 2, 3)
    assert totals["npl"] == (300_000 + 1_500_000 + 150_000) * 100  # late 120 days, compensated, unclaimed
    assert totals["nplRatio"] == "39/49"  # of 2,450,000 yuan outstanding
    assert [b["applications"] for b in doc["banks"]] == [5, 4]
    assert len(doc["districts"]) == 2 and len(doc["policies"]) == 2
