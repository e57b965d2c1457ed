"""``credtrace demo`` (``make demo``): the credit pilot as the main job (issue 18) on a size that runs in
about two minutes on a two-core machine, its evaluation report, then the portal (started in a terminal,
its commands printed otherwise). Run again, it goes on: a pilot cut off is resumed, a finished one is
replayed and reported again, never run twice. ``credtrace demo tour`` is the step-by-step walk through each part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import ApiError
from api.cli.context import console

if TYPE_CHECKING:
    from api.pilot.journal import Params
    from api.settings import Settings

ENTERPRISES, MONTHS, BANKS, SEED = 700, 12, 3, 7
"""The embedded default: every stage and every rule of the pilot happens at least once."""
REPORT = "pilot-report.html"


def pilot_demo(settings: Settings) -> None:
    from api.cli.demo_serve import offer_portal
    from api.cli.pilot import print_summary, say, write_report
    from api.pilot.run import run as drive

    params, resume = _asked(settings)
    chain = f"the chain at {settings.rpc_url}" if settings.rpc_url else "the embedded chain"
    console.rule(f"the credit pilot: {params.enterprises:,} enterprises x {params.months} months, {params.banks} "
                 f"banks, seed {params.seed}, on {chain}")
    if resume:
        console.print("this home's pilot was begun before: going on from its last finished stage", soft_wrap=True)
    print_summary(drive(settings, params, resume, say, bars=console.is_terminal))
    console.rule("the pilot's performance evaluation (绩效评价), read from the chain and the log")
    write_report(settings, settings.home / REPORT)
    offer_portal(settings, "the platform over HTTP: the signed API and the financing service portal (R2)")


def _asked(settings: Settings) -> tuple[Params, bool]:
    """The demo's pilot, or the one this home already began (resumed: a finished one has nothing left to do)."""
    from api.pilot.journal import Params
    from api.pilot.run import default_start

    begun = _begun(settings)
    if begun is None:
        if settings.deployment_path.exists():
            raise ApiError(f"{settings.home} holds another world (a `demo tour`?): give the pilot a new --home")
        return Params(ENTERPRISES, MONTHS, BANKS, SEED, default_start()), False
    return begun, True


def _begun(settings: Settings) -> Params | None:
    from api.pilot.journal import Journal
    from ledger.migrations import open_engine

    if not settings.home.exists():
        return None
    engine = open_engine(settings.db_url)
    try:
        return Journal(engine).params()
    finally:
        engine.dispose()
