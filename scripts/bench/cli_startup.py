"""Start-up time of the ``credtrace`` command, before and after imports became per command.

    python scripts/bench/cli_startup.py            # 7 runs of each command, median
    python scripts/bench/cli_startup.py --runs 15

"Before" is the tree at ``BEFORE`` (the last commit whose commands imported the whole platform —
devnet, SQLAlchemy, scikit-learn — when the command module loaded), unpacked with ``git archive``
into a temporary folder; "after" is this working tree. Both run with this interpreter, the same way:
``python -c 'from api.cli import main; main()' ARGS`` with the tree first on ``sys.path`` and a
temporary folder as the working directory, so only the code differs. ``log check`` without a witness
stops at argument parsing (exit 2): it times the start-up, not a check. Exits 1 when a target is
missed: each command starts in under 0.5 s after the change.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "387b81d"
COMMANDS = (("--help",), ("log", "check"), ("model", "--help"))
TARGET_S = 0.5
LAUNCH = "import sys; sys.argv[0] = 'credtrace'; from api.cli import main; main()"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        before = unpack(BEFORE, Path(tmp) / "before")
        print(f"credtrace start-up, median of {args.runs} runs ({BEFORE} vs this tree)")
        print(f"  {'command':<28} {'before':>8} {'after':>8} {'ratio':>7}")
        missed = [c for c in COMMANDS if not row(c, before, Path(tmp), args.runs)]
    for command in missed:
        print(f"target missed: credtrace {' '.join(command)} takes {TARGET_S} s or more")
    return 1 if missed else 0


def row(command: tuple[str, ...], before: Path, cwd: Path, runs: int) -> bool:
    then, now = (median_run(tree, command, cwd, runs) for tree in (before, ROOT))
    print(f"  {'credtrace ' + ' '.join(command):<28} {then:7.2f}s {now:7.2f}s {then / now:6.1f}x")
    return now < TARGET_S


def unpack(commit: str, into: Path) -> Path:
    """The tree at ``commit``, from this repository's history (a shallow clone lacks it: say so)."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True)
    if archive.returncode != 0:
        sys.exit(f"cannot read commit {commit} from {ROOT}: {archive.stderr.decode().strip()} (a full clone has it)")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def median_run(tree: Path, command: tuple[str, ...], cwd: Path, runs: int) -> float:
    path = f"import sys; sys.path[:0] = [{str(tree)!r}, {str(tree / 'hardhat-free-devnet')!r}]; "
    argv = [sys.executable, "-c", path + LAUNCH, *command]
    return statistics.median(timed(argv, cwd) for _ in range(runs))


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 2):
        sys.exit(f"{' '.join(argv[3:])} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
