"""Where the oracle is in the stream of ``Applied`` events: the (block number, log index) of the last
application it finished with. Kept in SQL (``oracle.store``) and moved only once an application has its
record, its vote and its ``DECISION`` event, so a crash re-reads what was not finished, never skips it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Cursor:
    block_number: int
    log_index: int


START = Cursor(-1, -1)
"""Before the first event of the chain."""


def position(log: Mapping[str, Any]) -> Cursor:
    return Cursor(int(log["blockNumber"]), int(log["logIndex"]))


def after(logs: Iterable[Mapping[str, Any]], cursor: Cursor) -> list[Mapping[str, Any]]:
    """The events past ``cursor``, in chain order."""
    return sorted((log for log in logs if position(log) > cursor), key=position)
