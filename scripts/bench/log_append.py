"""``credtrace log append`` of a JSON Lines file at scale, beside pymerkle's SQLite append of the same lines.

    python scripts/bench/log_append.py                # 1,000,000 events
    python scripts/bench/log_append.py --events 100000

Writes N events to a JSONL file (not timed), then, in the same run, three times over (``--runs``;
the fastest run of each side is compared: this machine's neighbours make single runs vary by ±20 %):

- ``credtrace log append FILE`` in its own process on a fresh home (embedded devnet, SQLite): parse,
  validate, RFC 8785, leaf hashes, store, seal, sign, anchor — end to end, with its peak memory;
- pymerkle 7.0's ``SqliteTree.append_entries`` of the same lines (leaf hashes and SQLite storage only);
- ``credtrace log prove`` of 1,000 ids against the anchored tree.

Exits 1 when a target is missed: at least 20,000 events/s, at least 0.25x pymerkle's rate, peak
memory under 500 MB, 1,000 proofs under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATE, RATIO, PEAK_MB, PROVE_S = 20_000, 0.25, 500, 5.0
LAUNCH = "import sys; sys.argv[0] = 'credtrace'; from api.cli import main; main()"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each side; the fastest of each is compared")
    args = parser.parse_args()
    n = args.events
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = write_events(folder / "events.jsonl", n)
        ours, theirs = [], []
        for run in range(args.runs):
            home = folder / f"home{run}"
            for setup in (["init"], ["deploy"]):
                credtrace(home, *setup)
            os.sync()  # each side starts with the other's writes on disk, not still being flushed
            ours.append(timed_append(home, events))
            os.sync()
            theirs.append(pymerkle_append(folder / "pymerkle.sqlite", events))
            (folder / "pymerkle.sqlite").unlink()
            if run + 1 < args.runs:  # the last home stays, for log prove
                shutil.rmtree(home)
        proving = timed(lambda: credtrace(home, "log", "prove", *map(str, random.Random(7).sample(range(n), 1000))))
    return report(n, ours, theirs, proving)


def write_events(path: Path, n: int) -> Path:
    with path.open("w") as out:
        for i in range(n):
            out.write(json.dumps({"action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{i:064x}",
                                  "assets": [f"{i + 1:064x}"], "purpose": "credit-assessment", "consent": None,
                                  "request_id": f"req-{i}", "time": "2026-11-30T09:00:00Z"}) + "\n")
    return path


def credtrace(home: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-c", LAUNCH, "--home", str(home), *args], check=True, stdout=subprocess.DEVNULL)


def timed_append(home: Path, events: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of ``log append`` in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--home", str(home), "log", "append", str(events)],
                            stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"log append failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


PYMERKLE = """
import sys, time
from pymerkle import SqliteTree
lines = open(sys.argv[1], "rb").read().splitlines()
tree = SqliteTree(sys.argv[2])
start = time.perf_counter()
tree.append_entries(lines)
print(time.perf_counter() - start)
tree.close()
"""


def pymerkle_append(path: Path, events: Path) -> float:
    """Seconds of ``append_entries``, in its own process: a bench holding the lines would make the next
    ``credtrace`` it forks start with their pages (and its peak memory count them)."""
    out = subprocess.run([sys.executable, "-c", PYMERKLE, str(events), str(path)], check=True, capture_output=True,
                         text=True).stdout
    return float(out)


def timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def report(n: int, ours: list[tuple[float, float]], theirs: list[float], proving: float) -> int:
    best, their_best, peak = min(s for s, _ in ours), min(theirs), max(p for _, p in ours)
    rate, their_rate = n / best, n / their_best
    print(f"{n:,} events from one JSONL file, end to end; fastest of {len(theirs)} runs of each side")
    print(f"  credtrace log append          {best:8.1f} s  {rate:9,.0f} events/s  peak {peak:,.0f} MB"
          f"   (runs: {', '.join(f'{s:.1f} s {p:.0f} MB' for s, p in ours)})")
    print(f"  pymerkle SqliteTree append    {their_best:8.1f} s  {their_rate:9,.0f} events/s"
          f"   (runs: {', '.join(f'{s:.1f}' for s in theirs)} s)")
    print(f"  ratio                         {rate / their_rate:8.2f} x   (target >= {RATIO})")
    print(f"  log prove of 1,000 ids        {proving:8.1f} s")
    missed = [what for what, ok in (("events/s", rate >= RATE), ("ratio to pymerkle", rate / their_rate >= RATIO),
                                    ("peak memory", peak < PEAK_MB), ("log prove", proving < PROVE_S)) if not ok]
    for what in missed:
        print(f"target missed: {what}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
