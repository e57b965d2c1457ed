"""The regulator's replay against the production that made the history it replays (issue 16), one run, on the
embedded devnet: a history of at least 200,000 provenance log events, 2,000 decisions and their chain.

Production, timed: bank-a applies N times (pipelined ``applyFor``), ``credtrace oracle run --once --batch 100``
decides them all (each read through the gate — an ACCESS event —, scored, signed, stored, ``decideBatch``,
a DECISION event), then ``credtrace log append`` adds the rest of the events (INGEST events of a provider,
in one JSON Lines file, sealed, signed and anchored) up to E in the log. The world it starts from
(tests/oracle/oracle_world.py: demo keys, enterprise-1's data, an approved model, one consent) is built
before the clock starts and is not counted.

Replay, timed: ``credtrace replay`` from genesis over the same home: every block re-executed (devnet.resync),
every event of the contracts read, the state rebuilt and compared, every decision re-run, the log verified;
the time between the steps' progress bars is printed too ("reading chain events" includes step 2).

    python scripts/bench/replay.py [N [E]]          (default 2000 200000)

Target (exit status 1 if missed, or if the replay finds any mismatch): replay time <= 1 x production time.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "oracle"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle_world  # noqa: E402  (the oracle tests' world builder, reused)
from oracle_throughput import Bank  # noqa: E402  (bank-a applying for enterprise-1, pipelined)

from api.cli.context import keystore, opened  # noqa: E402
from api.platform import opened_platform  # noqa: E402
from api.replay.run import replay  # noqa: E402
from api.settings import Settings  # noqa: E402

TARGET = 1.0


def applied(settings: Settings, consent: str, n: int) -> float:
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        return Bank(p, settings, consent).apply_all(n)


def decided(home: Path) -> float:
    began = time.perf_counter()
    oracle_world.run(home, "oracle", "run", "--once", "--batch", "100")
    return time.perf_counter() - began


def log_size(settings: Settings) -> int:
    from ledger.migrations import open_engine
    from ledger.provenance import LogStore

    engine = open_engine(settings.db_url)
    try:
        return LogStore(engine).size()
    finally:
        engine.dispose()


def appended(settings: Settings, total: int, folder: Path) -> float:
    """INGEST events up to ``total`` in the log, by ``credtrace log append`` (the file written beforehand)."""
    provider = keystore(settings).load("tax-bureau").address
    missing = max(total - log_size(settings), 0)
    events = folder / "events.jsonl"
    with events.open("w") as out:
        for i in range(missing):
            out.write(json.dumps({"action": "INGEST", "actor": provider, "subject": None,
                                  "assets": [f"{i:064x}"], "purpose": "data-supply", "consent": None,
                                  "request_id": f"bench-batch-{i}", "time": "2026-11-30T10:00:00Z"}) + "\n")
    began = time.perf_counter()
    oracle_world.run(settings.home, "log", "append", str(events))
    return time.perf_counter() - began


def main() -> int:
    n, events = (int(a) for a in (sys.argv[1:] + ["2000", "200000"][len(sys.argv) - 1:]))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        oracle_world.build(home)
        consent = oracle_world.grant(home)
        settings = Settings.build(home, None)
        print(f"production: {n} applications, decided by the oracle, then the log filled to {events:,} events",
              flush=True)
        applying = applied(settings, consent, n)
        print(f"  applyFor x {n} (pipelined)          {applying:8.1f} s", flush=True)
        deciding = decided(home)
        print(f"  oracle run --once --batch 100       {deciding:8.1f} s", flush=True)
        appending = appended(settings, events, Path(tmp))
        print(f"  log append (INGEST events)          {appending:8.1f} s", flush=True)
        production = applying + deciding + appending
        began, marks = time.perf_counter(), []

        def mark(description: str, total: int | None) -> Callable[[int], None]:
            marks.append((description, time.perf_counter()))
            return lambda done: None

        report = replay(settings, opened, mark)
        replaying = time.perf_counter() - began
    steps = [*marks, ("end", began + replaying)]
    for (name, at), (_, until) in itertools.pairwise(steps):
        print(f"  {name:<24} until the next step {until - at:8.1f} s")
    for m in report.mismatches:
        print(f"  MISMATCH [{m.step}] {m.where}: {m.what}")
    print(f"replay: {report.blocks:,} blocks, {report.events:,} events, {report.decisions:,} decisions, "
          f"{len(report.mismatches)} mismatch(es)")
    ratio = replaying / production
    print(f"production {production:.1f} s   replay {replaying:.1f} s   replay / production = {ratio:.2f} x   "
          f"(target <= {TARGET:g} x)")
    ok = report.ok and report.decisions >= n and ratio <= TARGET
    print("all targets met" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
