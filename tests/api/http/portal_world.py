"""The portal tests' world: the HTTP tests' world (tests/oracle/oracle_world.py) with an application of
bank-a's decided by the oracle and disbursed in district 500103 under a loss-sharing policy, the pools
funded and an auditor appointed, served by the real ``credtrace serve``; and signing in as the CLI does
(``credtrace portal login --as NAME --url URL`` prints the one-time link)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oracle_world import apply, copy, grant, run
from server import serving

DISTRICT = "500103"


def decided(home: Path) -> int:
    """Application 1: applied, decided, disbursed; returns its id."""
    number = apply(home, grant(home))
    run(home, "oracle", "run", "--once")
    run(home, "policy", "set", "--municipal-bps", "4000", "--district-bps", "2000", "--bank-bps", "4000",
        "--subsidy-bps", "2500", "--quorum", "1", "--approval-days", "30", "--claim-days", "90",
        "--loan-cap", "1,000,000", "--bank-year-cap", "10,000,000")
    run(home, "pool", "fund", "municipal", "--amount", "1,000,000")
    run(home, "pool", "fund", DISTRICT, "--amount", "500,000")
    run(home, "loan", "disburse", str(number), "--amount", "300,000", "--district", DISTRICT, "--as", "bank-a")
    run(home, "participants", "appoint", "auditor")
    return number


@contextmanager
def portal_server(base: Path, folder: Path) -> Iterator[tuple[str, Path]]:
    home = copy(base, folder / "home")
    decided(home)
    with serving(home) as url:
        yield url, home


def login_link(home: Path, url: str, who: str) -> str:
    """The link ``credtrace portal login`` prints for ``who``."""
    out = run(home, "portal", "login", "--as", who, "--url", url).strip()
    assert out.startswith(f"{url}/portal/login?token="), out
    return out
