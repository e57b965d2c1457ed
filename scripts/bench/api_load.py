"""The platform over HTTP under load (issue 17), on the embedded devnet and a real `credtrace serve`.

The world is the oracle tests' (tests/oracle/oracle_world.py): keys, enterprise-1's data, an approved
model, its consent to bank-a; bank-a applies D times and the oracle decides (`oracle run --once`), and
the log is sealed and anchored. Then:

(a) signed reads at increasing concurrency: locust (headless, `scripts/bench/locust/signed_reads.py`)
    as bank-a, each user a closed loop of RFC 9421-signed GETs of inclusion proofs of the log's events
    (`/v1/log/proofs/{i}`) and of its signed decision records (`/v1/applications/{id}/record`), for
    T seconds at each of 1, 4, 16 and 32 users: requests/s, p50 and p99 per kind, and failures (must be 0).
(b) ingestion: the same K batches of the demo pilot's tax rows (JSON Lines, R rows each) ingested by
    `credtrace data ingest` (one process a batch, as a department would run it) into one copy of the
    world, and pushed signed to `POST /v1/datasets/tax/batches` into another copy, served: rows/s of each.

    python scripts/bench/api_load.py [T [K [R [D]]]]      (default 10 s, 6 batches of 1,000 rows, 4 decisions)

Target (exit status 1 if missed): API ingestion >= 0.5 x the command line's rows/s; no failed read.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "oracle"))
sys.path.insert(0, str(ROOT / "tests" / "api" / "http"))

import oracle_world  # noqa: E402  (the oracle tests' world builder, reused)
from server import serving  # noqa: E402  (the HTTP tests' server starter, reused)

from api.cli.demo_data import demo_pilot  # noqa: E402
from api.client import Signature  # noqa: E402
from api.node import opened  # noqa: E402
from api.platform import opened_platform  # noqa: E402
from api.settings import Settings  # noqa: E402
from ledger.chain import KeyStore  # noqa: E402

USERS = (1, 4, 16, 32)
TARGET = 0.5
BIN = Path(sys.executable).parent


def world(base: Path, decisions: int) -> list[int]:
    oracle_world.build(base)
    consent = oracle_world.grant(base)
    applications = [oracle_world.apply(base, consent) for _ in range(decisions)]
    oracle_world.run(base, "oracle", "run", "--once")
    settings = Settings.build(base, None)
    with opened(settings) as chain, opened_platform(settings, chain) as platform:
        platform.seal_and_anchor()  # every event provable against a root on chain
    return applications


def batches(folder: Path, count: int, rows: int) -> list[Path]:
    tax = [r for r in demo_pilot().records["tax"]][: count * rows]
    files = []
    for n in range(count):
        path = folder / f"tax-{n}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in tax[n * rows : (n + 1) * rows]))
        files.append(path)
    return files


def by_command(home: Path, files: list[Path]) -> float:
    began = time.perf_counter()
    for path in files:
        subprocess.run([str(BIN / "credtrace"), "--home", str(home), "data", "ingest", "tax", str(path),
                        "--as", "tax-bureau"], check=True, capture_output=True)
    return time.perf_counter() - began


def by_api(url: str, home: Path, files: list[Path]) -> float:
    auth = Signature(KeyStore(home / "keys").load("tax-bureau"))
    with httpx.Client(base_url=url, auth=auth, timeout=300) as http:
        began = time.perf_counter()
        for path in files:
            answer = http.post("/v1/datasets/tax/batches", content=path.read_bytes(),
                               headers={"Content-Type": "application/jsonl"})
            assert answer.status_code == 201, answer.text
        return time.perf_counter() - began


def read_paths(home: Path, applications: list[int]) -> list[str]:
    sealed = [i for i, _ in oracle_world.log_events(home)]
    return [f"/v1/log/proofs/{i}" for i in sealed[:: max(1, len(sealed) // 40)]] + \
           [f"/v1/applications/{a}/record" for a in applications]


def locust(url: str, home: Path, paths: list[str], users: int, seconds: int, out: Path) -> dict[str, list[str]]:
    env = {**os.environ, "CREDTRACE_BENCH_PATHS": ",".join(paths), "CREDTRACE_BENCH_KEYS": str(home / "keys"),
           "CREDTRACE_BENCH_AS": "bank-a", "PYTHONPATH": str(ROOT)}
    prefix = out / f"u{users}"
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "scripts/bench/locust/signed_reads.py"), "--headless",
                    "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", url, "--csv", str(prefix),
                    "--only-summary", "--loglevel", "WARNING"], env=env, check=True, capture_output=True)
    with open(f"{prefix}_stats.csv") as fh:
        return {row["Name"]: [row["Request Count"], row["Failure Count"], row["Requests/s"], row["50%"],
                              row["99%"]] for row in csv.DictReader(fh)}


def main(seconds: int = 10, count: int = 6, rows: int = 1_000, decisions: int = 4) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        print(f"world: the oracle tests' world, {decisions} decided applications; batches: {count} x {rows} rows")
        applications = world(base, decisions)
        files = batches(Path(tmp), count, rows)
        cli_s = by_command(oracle_world.copy(base, Path(tmp) / "cli"), files)
        served_home = oracle_world.copy(base, Path(tmp) / "api")
        with serving(served_home) as url:
            api_s = by_api(url, served_home, files)
            failed = reads(url, served_home, read_paths(served_home, applications), seconds, Path(tmp))
    return verdict(count * rows, cli_s, api_s, failed)


def reads(url: str, home: Path, paths: list[str], seconds: int, out: Path) -> int:
    print(f"(a) signed reads, {seconds} s at each concurrency, {len(paths)} paths (inclusion proofs, decision records)")
    print(f"{'users':>5}  {'kind':<10} {'requests':>8} {'failed':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    failed = 0
    for users in USERS:
        for name, (count, fails, rate, p50, p99) in locust(url, home, paths, users, seconds, out).items():
            failed += int(fails) if name == "Aggregated" else 0
            print(f"{users:>5}  {name.lower():<10} {count:>8} {fails:>6} {float(rate):>8.1f} {p50:>7} {p99:>7}")
    return failed


def verdict(total: int, cli_s: float, api_s: float, failed: int) -> int:
    cli_rate, api_rate = total / cli_s, total / api_s
    print(f"(b) ingestion of {total:,} rows: command line {cli_rate:,.0f} rows/s ({cli_s:.1f} s), "
          f"signed API {api_rate:,.0f} rows/s ({api_s:.1f} s) -> {api_rate / cli_rate:.2f}x (target >= {TARGET}x)")
    ok = api_rate >= TARGET * cli_rate and failed == 0
    print("ok" if ok else f"MISSED: {'ingestion ratio' if api_rate < TARGET * cli_rate else ''} "
          f"{'failed reads: ' + str(failed) if failed else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
