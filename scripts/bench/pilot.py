"""The pilot as the main job at scale (issue 18), one run on the embedded devnet: ``credtrace pilot run``'s
own driver (``api.pilot.run.run``) over a fresh home, then its evaluation report (``api.evaluation.report``).

Printed: the wall time and throughput of each stage summed over the months (generation, ingestion,
consent, applications, decisions, loan events, oversight, model monitoring, sealing and anchoring), the
replay from genesis, the report, and the whole; and the chain's and the log's size at the end.

    python scripts/bench/pilot.py [ENTERPRISES [MONTHS [BANKS]]]      (default 10000 24 3)

Target (exit status 1 if missed, or if the replay fails): the whole run within CI's hard limit on this
machine, 90 minutes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from api.pilot.journal import Params
from api.pilot.run import default_start, run
from api.pilot.summary import Summary
from api.settings import Settings

LIMIT = 90 * 60
"""CI's hard limit on this two-core machine, seconds."""


def main(enterprises: int = 10_000, months: int = 24, banks: int = 3) -> int:
    params = Params(enterprises, months, banks, 7, default_start())
    print(f"pilot of {enterprises:,} enterprises x {months} months, {banks} banks, seed 7, embedded devnet")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.build(Path(tmp) / "home", None)
        began = time.perf_counter()
        summary = run(settings, params, False, lambda line: None, bars=False)
        report = _report(settings, Path(tmp) / "report.html")
        total = time.perf_counter() - began
    _print(summary, report, total)
    ok = summary.replay_ok and total <= LIMIT
    print("ok" if ok else f"MISSED: {'replay failed; ' if not summary.replay_ok else ''}{total / 60:.1f} min "
                          f"(limit {LIMIT // 60} min)")
    return 0 if ok else 1


def _report(settings: Settings, path: Path) -> float:
    from api.evaluation.report import write
    from api.node import opened
    from ledger.migrations import open_engine

    began, engine = time.perf_counter(), open_engine(settings.db_url)
    try:
        with opened(settings) as chain:
            write(settings, chain, engine, path)
    finally:
        engine.dispose()
    return time.perf_counter() - began


def _print(summary: Summary, report: float, total: float) -> None:
    f = summary.figures
    print(f"{'stage':<13} {'seconds':>9} {'acts':>10} {'acts/s':>9}")
    print(f"{'generation':<13} {summary.seconds['generation']:9.1f}")
    for stage, t in summary.stages.items():
        print(f"{stage:<13} {t.seconds:9.1f} {t.count:10,} {t.throughput:9.1f}")
    print(f"{'replay':<13} {summary.seconds['replay']:9.1f}   ({'ok' if summary.replay_ok else 'FAILED'})")
    print(f"{'report':<13} {report:9.1f}")
    print(f"{'whole run':<13} {total:9.1f}   ({total / 60:.1f} min)")
    print(f"applications {f['applications']:,}, approved {f['approved']:,}, disbursed {f['disbursed']:,}, "
          f"repayments {f['repayments']:,}, defaults {f['defaults']:,}, claims {f['claims']:,}; blocks "
          f"{f['blocks']:,}, log events {f['events']:,}, checkpoints {f['checkpoints']:,}")


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
