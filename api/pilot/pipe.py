"""Many transactions sent without waiting for each (``TransactionSender.send``), then their receipts
collected: one sender at a time, in the order given, so the chain mines them in that order (nonces) and a
run and its resumed twin number applications alike. Gas limits are given, not estimated: an estimate of a
call that depends on one not yet mined (a claim after a default) would revert.

**Test hook.** ``CREDTRACE_PILOT_CRASH_AFTER=N`` makes the process SIGKILL itself right after sending its
N-th pipelined transaction, before its receipt: the resume test's kill mid-stage; nothing else sets it.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hexbytes import HexBytes
from web3.types import TxReceipt

from ledger.chain import TransactionSender
from ledger.chain.contract import DeployedContract

CRASH_AFTER = "CREDTRACE_PILOT_CRASH_AFTER"
_sent_so_far = itertools.count(1)
GAS = 600_000
"""Enough for any one act of the pilot (a registration or a claim: the dearest, well under)."""


@dataclass
class Pipe:
    queued: dict[str, tuple[TransactionSender, list[tuple[str, bytes]]]] = field(default_factory=dict)

    def add(self, sender: TransactionSender, contract: DeployedContract, function: str, *args: Any) -> None:
        entry = self.queued.setdefault(sender.address, (sender, []))
        entry[1].append((contract.address, contract.calldata(function, *args)))

    def __len__(self) -> int:
        return sum(len(calls) for _, calls in self.queued.values())

    def flush(self) -> list[TxReceipt]:
        receipts: list[TxReceipt] = []
        for sender, calls in self.queued.values():
            receipts += _sent(sender, calls)
        self.queued.clear()
        return receipts


def _sent(sender: TransactionSender, calls: Sequence[tuple[str, bytes]]) -> list[TxReceipt]:
    hashes = []
    for to, data in calls:
        hashes.append(sender.send({"to": to, "data": HexBytes(data), "gas": GAS}))
        _crash_point()
    return [sender.wait(h) for h in hashes]


def _crash_point() -> None:
    """The resume test's hook (see the module docstring)."""
    if next(_sent_so_far) == int(os.environ.get(CRASH_AFTER, "0")):
        os.kill(os.getpid(), signal.SIGKILL)
