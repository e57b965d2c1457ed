"""SIGKILL the sequencer while it ingests: nothing acknowledged is lost, and the tree after
restart is consistent with every checkpoint anchored before the crash."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from provenance_world import build, event

from ledger.chain import connect
from ledger.provenance import verify_log

WORKER = Path(__file__).with_name("ingest_worker.py")


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [4, 9, 17])
def test_sigkill_while_ingesting_loses_nothing_acknowledged(
    kill_after: int, db_url: str, devnet_url: str, devnet_pool: list[LocalAccount]
) -> None:
    world = build(connect(devnet_url), db_url, operator=devnet_pool.pop())
    world.sequencer.close()  # the worker process is the writer now
    env = {**os.environ, "OPERATOR_KEY": "0x" + bytes(world.sender.account.key).hex(),
           "SIGNING_SEED": bytes(world.key).hex()}
    worker = subprocess.Popen([sys.executable, str(WORKER), db_url, devnet_url, world.log.contract.address],
                              stdout=subprocess.PIPE, text=True, env=env)
    acked, anchored = 0, []
    assert worker.stdout is not None
    for _ in range(kill_after):
        kind, *numbers = worker.stdout.readline().split()
        if kind == "ACK":
            acked = int(numbers[1])
        else:
            anchored.append(int(numbers[0]))
    random_pause = random.random() * 0.05
    subprocess.run(["sleep", f"{random_pause:.3f}"], check=True)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    seq = world.restart()
    assert seq.size >= acked
    stored = {i: leaf for i, leaf, _ in world.store.leaves(0, acked)}
    assert all(stored[i] == event(i).leaf_hash() for i in range(acked))
    head = seq.catch_up()
    assert head is not None and head.tree_size == seq.size
    on_chain = [a.tree_size for a in world.log.all()]
    assert set(anchored) <= set(on_chain)
    report = verify_log(world.store, world.log, world.keys())  # consistency with every anchor
    assert report.events == seq.size and report.anchored == len(on_chain)
    world.store.engine.dispose()
