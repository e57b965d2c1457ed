"""The replay, step by step, from genesis: what ``credtrace replay`` runs (see :mod:`api.replay`).

Progress goes through ``tasks``: ``tasks(description, total)`` gives a callable taking how many more are done
(the CLI draws rich progress bars with it, as ``log verify`` does; tests pass a no-op).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from api.replay import chain as step1
from api.replay import decisions as step3
from api.replay import history
from api.replay import log as step4
from api.replay import state as step2
from api.replay.report import Report
from api.replay.world import World
from api.settings import Settings
from ledger.chain import Chain, artifact, deployment
from ledger.chain.contract import DeployedContract
from ledger.errors import LedgerError

Tasks = Callable[[str, int | None], Callable[[int], None]]


def quiet(description: str, total: int | None) -> Callable[[int], None]:
    return lambda done: None


def replay(settings: Settings, opened: Callable[[Settings], Any], tasks: Tasks = quiet) -> Report:
    """Every step against the chain ``opened(settings)`` gives and the home's database and log."""
    report = Report()
    if settings.rpc_url is None:  # before the node opens the data folder
        advance = _absolute(tasks("re-executing blocks", None))
        step1.resynced(settings.devnet_dir, report, lambda done, total: advance(done))
    dep = deployment.load(settings.deployment_path)
    with opened(settings) as chain:
        if settings.rpc_url is not None:
            step1.deployed(chain, dep, report)
        with _world(settings, chain, dep, tasks) as world:
            report.events = world.history.count()
            step2.check(world, report)
            try:
                step3.check(world, report, tasks("re-running decisions",
                                                 len(world.history.named("LoanLedger", "Decided"))))
            except LedgerError as exc:  # a contract that does not answer as its artifact would (step 1 says why)
                report.found(step3.STEP, "decisions", f"cannot be re-run: {exc}")
            report.events += step4.check(world, dep.deployer, report, _absolute(tasks("verifying log events",
                                                                                     world.store.size())))
    return report


def _absolute(advance: Callable[[int], None]) -> Callable[[int], None]:
    """``verify_log`` reports how many are done so far; the bars take how many more."""
    seen = [0]

    def progress(done: int) -> None:
        advance(done - seen[0])
        seen[0] = done

    return progress


@contextmanager
def _world(settings: Settings, chain: Chain, dep: deployment.Deployment, tasks: Tasks) -> Iterator[World]:
    from ledger.migrations import open_engine
    from ledger.provenance import LogStore

    # Step 1 named any contract whose code is not its artifact's; the events are read all the same.
    contracts = {name: DeployedContract(chain, artifact.load(name), r.address) for name, r in dep.contracts.items()}
    events = history.read(chain, contracts, tasks("reading chain events", None))
    engine = open_engine(settings.db_url)
    try:
        yield World(chain, contracts, events, engine, LogStore(engine), settings.home / "models")
    finally:
        engine.dispose()
