"""The edge: LoanLedger's logs read with ``eth_getLogs``, a few calls, and decoded into events.

All the contract's logs are asked for at once per block range (``address`` filter, no topics), from the
block it was deployed in to the head as it was when reading began, in ranges of :data:`CHUNK` blocks
so a node's cap on results per call is not reached on a long chain. Each log is decoded by its first
topic against the contract's ABI; the figures are folded from these alone, never from view functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hexbytes import HexBytes
from web3.exceptions import Web3Exception
from web3.types import EventData, FilterParams, LogReceipt

from ledger.chain.contract import DeployedContract
from ledger.errors import ChainError
from ledger.operating.events import NAMES, Event, decoded
from ledger.operating.figures import Source

CHUNK = 10_000
"""Blocks per ``eth_getLogs`` call."""


@dataclass(frozen=True)
class Reading:
    source: Source
    events: tuple[Event, ...]
    """In chain order (block, then log index)."""


def read(contract: DeployedContract, from_block: int, chunk: int = CHUNK) -> Reading:
    """Every LoanLedger event from ``from_block`` (its deployment block) to the current head."""
    web3 = contract.chain.web3
    head = int(web3.eth.block_number)
    source = Source(int(web3.eth.chain_id), contract.address, from_block, head)
    return Reading(source, tuple(_decoded(contract, _logs(contract, from_block, head, chunk))))


def _logs(contract: DeployedContract, first: int, last: int, chunk: int) -> Iterator[LogReceipt]:
    for start in range(first, last + 1, chunk):
        end = min(start + chunk - 1, last)
        query: FilterParams = {"address": contract.address, "fromBlock": start, "toBlock": end}
        try:
            found = contract.chain.web3.eth.get_logs(query)
        except (Web3Exception, ValueError, OSError) as exc:
            raise ChainError(f"eth_getLogs for {contract.artifact.name} over blocks {start} to {end} failed: "
                             f"{exc}") from exc
        yield from sorted(found, key=lambda log: (log["blockNumber"], log["logIndex"]))


def _decoded(contract: DeployedContract, logs: Iterator[LogReceipt]) -> Iterator[Event]:
    by_topic = {bytes(HexBytes(contract.event(name).topic)): name for name in NAMES}
    for log in logs:
        name = by_topic.get(bytes(HexBytes(log["topics"][0]))) if log["topics"] else None
        if name is not None:  # an event the ledger does not read (none today) is skipped
            data: EventData = contract.event(name).process_log(log)
            yield decoded(name, data["args"])
