"""The pilot's driver: set up what a fresh home needs, then month by month each stage of
:data:`api.pilot.journal.STAGES` not yet journaled, each journaled with the blocks, log events, acts and
seconds it took; at the end the log sealed and anchored and the regulator's replay (``credtrace replay``'s
own code), which must pass. ``run(..., resume=True)`` goes on after the last journaled stage: a stage cut
off by a crash is redone, and each stage is idempotent (:mod:`api.pilot.stages`).

The pilot's months are the chain's own calendar (:mod:`api.pilot.calendar`): a new run's first month is the
month after the chain's latest block (after the contracts are deployed), so the pilot runs into the chain's
future, and each month begins with the chain's clock moved to its 1st (``evm_increaseTime``; a node that
does not serve it is refused before anything is sent). The world has :data:`api.pilot.plan.HISTORY` (a
whole window) months before the pilot, delivered as the first month's backlog, so every application's
features read twelve months of delivered data, as the development sample's did, and the quarterly PSI
compares like with like. Time-based rules (consent expiry, approval validity, claim window) read the
chain's time. The journal keeps the first month: a resumed run goes on in it, and finds the chain already
in (or past) the month it resumes, so the clock is not moved again. After a pilot the home's chain is ahead
of the wall clock (in the pilot's last month) and stays so: time never runs backwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api import ApiError
from api.node import opened
from api.pilot import calendar, cast, models, setup
from api.pilot.journal import STAGES, Journal, Params, Step
from api.pilot.plan import HISTORY, Month, Plan, make, period_before
from api.pilot.stages import STAGES as WORK
from api.pilot.stages import Running
from api.pilot.summary import Summary, summarise
from api.platform import Platform, opened_platform
from api.settings import Settings
from ledger.chain import Chain, KeyStore
from simulation.pilot import Pilot

Say = Callable[[str], None]


def default_start(today: datetime | None = None) -> str:
    """The first month a caller asks for before the chain is open: the month after the current one (the
    pilot runs into the future). :func:`run` starts a new pilot no earlier
    than the month after the chain's latest block."""
    return calendar.month_after(int((today or datetime.now(UTC)).timestamp()))


def run(settings: Settings, params: Params, resume: bool, say: Say, bars: bool = True) -> Summary:
    """The whole pilot (or the rest of it, with ``resume``); its summary after the replay passed."""
    from api.cli.model import model_registry

    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    _keys(settings, params.banks)
    with opened(settings) as chain:
        calendar.movable(chain)
        _deploy(settings, chain)
        params = _begun(settings, params, resume, calendar.month_after(calendar.now(chain)))
        say(f"the pilot's months are the chain's calendar from {params.start}: its clock moves to each month's 1st")
        began = time.perf_counter()
        world, plan = _world(params)
        seconds = {"generation": time.perf_counter() - began}
        with opened_platform(settings, chain) as p:
            _months(_prepared(settings, p, params, world, plan, say), Journal(p.engine), bars)
            p.seal_and_anchor()
    began = time.perf_counter()
    ok = _replayed(settings)
    seconds["replay"] = time.perf_counter() - began
    with _journal(settings) as journal:
        journal.finish()
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        return summarise(p, model_registry(chain, settings).contract, Journal(p.engine), params, seconds, ok)


def _begun(settings: Settings, params: Params, resume: bool, after: str) -> Params:
    """The run begun in the journal, its first month no earlier than ``after`` (the month after the chain's
    latest block); or resumed with its own first month (the chain has moved on since)."""
    with _journal(settings) as journal:
        found = journal.params()
        start = found.start if resume and found is not None else max(params.start, after)
        params = replace(params, start=start)
        journal.begin(params, resume)
    return params


@contextmanager
def _journal(settings: Settings) -> Iterator[Journal]:
    from ledger.migrations import open_engine

    engine = open_engine(settings.db_url)
    try:
        yield Journal(engine)
    finally:
        engine.dispose()


def _world(params: Params) -> tuple[Pilot, Plan]:
    from simulation.pilot import generate

    world = generate(params.enterprises, HISTORY + params.months, params.seed, period_before(params.start, HISTORY))
    return world, make(world, params.months, params.banks, params.seed)


def _keys(settings: Settings, banks: int) -> None:
    """Dev-only keys for the platform's participants and the banks, and the catalogue's secrets."""
    from ledger.catalogue.vault import KEY_FILES, create_key

    cast.ensure_keys(KeyStore(settings.keys_dir), banks)
    for name in KEY_FILES:
        create_key(settings.secrets_dir / name)


def _deploy(settings: Settings, chain: Chain) -> None:
    from api.cli.deploy import deploy_to

    deploy_to(chain, settings, redeploy=False)


def _prepared(settings: Settings, p: Platform, params: Params, world: Pilot, plan: Plan, say: Say) -> Running:
    from api.cli.model import model_registry

    store = KeyStore(settings.keys_dir)
    people = {name: store.load(name) for name in store.names()}
    setup.participants(p, people, say)
    setup.policy_and_pools(p, people["regulator"], params.enterprises, say)
    first = models.train(settings, 0, params.enterprises, params.seed, params.start)
    if models.approved(p, model_registry(p.chain, settings), first, people["regulator"]):
        say(f"model {first.model_id[:12]}… trained on a {models.HISTORY_MONTHS}-month history, approved")
    journal = Journal(p.engine)

    def blocks(period: str, stage: str) -> tuple[int, int] | None:
        return next(((s.first_block, s.last_block) for s in journal.steps() if (s.period, s.stage) == (period, stage)),
                    None)

    banks = [people[name] for name in cast.bank_names(params.banks)]
    return Running(settings, p, world, plan, params.seed, people, banks, blocks, say)


def _months(r: Running, journal: Journal, bars: bool) -> None:
    with _progress(bars) as progress:
        months = progress.add_task("months", total=len(r.plan.months))
        stages = progress.add_task("stages", total=len(STAGES))
        for month in r.plan.months:
            progress.update(stages, completed=0, description=f"{month.period}")
            for stage in STAGES:
                if not journal.done(month.period, stage):
                    journal.record(_step(r, month, stage))
                progress.advance(stages)
            progress.advance(months)


def _step(r: Running, month: Month, stage: str) -> Step:
    """Run one stage; its step: the blocks after the one it began at, the log events it appended."""
    chain, log = r.p.chain.web3.eth, r.p.sequencer.store
    first, log_from, began = chain.block_number + 1, log.size(), time.perf_counter()
    count = WORK[stage](r, month)
    return Step(month.period, stage, first, chain.block_number, log_from, log.size(), count,
                round(time.perf_counter() - began, 3))


@contextmanager
def _progress(shown: bool) -> Iterator[Progress]:
    columns = (TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, disable=not shown, transient=False) as progress:
        yield progress


def _replayed(settings: Settings) -> bool:
    from api.replay.run import replay

    found = replay(settings, opened)
    if not found.ok:
        raise ApiError(f"the pilot's replay does not match: {found.summary()}")
    return True
