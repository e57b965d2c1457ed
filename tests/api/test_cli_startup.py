"""Start-up imports only what the command needs: help and argument errors load no chain, no database,
no EVM and no model library. (How long that takes is measured in ``scripts/bench/cli_startup.py``;
which modules load is what a test can hold fixed.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("web3", "eth_account", "sqlalchemy", "alembic", "sklearn", "numpy", "nacl", "eth", "devnet",
         "ledger.chain", "ledger.contracts", "ledger.provenance", "ledger.catalogue.gate", "ledger.migrations",
         "api.platform", "scoring.trainer", "simulation")
LAUNCH = "import sys; sys.argv[0] = 'credtrace'; from api.cli import main; main()"


def imported(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", LAUNCH, *args], capture_output=True, text=True)
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done.returncode, names


@pytest.mark.parametrize(("args", "exit_code"), [
    (("--help",), 0), (("log", "check"), 2), (("model", "--help"), 0), (("data", "ingest", "--help"), 0),
    (("demo", "--help"), 0), (("keys", "restore", "--help"), 0), (("pilot", "run", "--help"), 0),
])
def test_help_and_usage_errors_load_nothing_heavy(args: tuple[str, ...], exit_code: int) -> None:
    code, names = imported(*args)
    assert code == exit_code
    assert "api.cli.model" in names  # the probe sees the command's own modules
    heavy = sorted(n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_a_command_loads_what_it_needs() -> None:
    code, names = imported("model", "train", "--data", "/nonexistent.csv", "--target", "t", "--out", "/tmp/x")
    assert code == 1
    assert "scoring.trainer" in names and "web3" not in names
