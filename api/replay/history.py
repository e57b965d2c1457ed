"""Every event of the deployed contracts, read once with ``eth_getLogs`` (an ``address`` filter, no topics,
in ranges of blocks) and decoded against each contract's ABI; the later steps look events up here instead of
asking the node once per application (2,000 decisions would be 10,000 filtered queries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from web3.types import EventData, FilterParams, TxReceipt

from ledger.chain import Chain
from ledger.chain.contract import DeployedContract

CHUNK = 10_000
"""Blocks per ``eth_getLogs`` call (a node caps results per call)."""


@dataclass(frozen=True)
class History:
    head: int
    events: dict[str, list[EventData]]
    """Contract name → its events in chain order (block, log index)."""

    def count(self) -> int:
        return sum(len(found) for found in self.events.values())

    def named(self, contract: str, event: str) -> list[EventData]:
        return [e for e in self.events.get(contract, []) if e["event"] == event]


def read(chain: Chain, contracts: dict[str, DeployedContract], progress: Callable[[int], None] | None = None,
         chunk: int = CHUNK) -> History:
    head = int(chain.web3.eth.block_number)
    events = {name: list(_decoded(c, head, chunk, progress)) for name, c in contracts.items()}
    return History(head, events)


def _decoded(contract: DeployedContract, head: int, chunk: int,
             progress: Callable[[int], None] | None) -> Iterator[EventData]:
    for start in range(0, head + 1, chunk):
        query: FilterParams = {"address": contract.address, "fromBlock": start, "toBlock": min(start + chunk - 1, head)}
        logs = sorted(contract.chain.web3.eth.get_logs(query), key=position)
        if progress:
            progress(len(logs))
        yield from contract.events(cast(TxReceipt, {"logs": logs}))


def position(log: Any) -> tuple[int, int]:
    return int(log["blockNumber"]), int(log["logIndex"])
