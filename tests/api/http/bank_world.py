"""The HTTP tests' world with decisions in it: enterprise-1's consent to bank-a and to bank-b, two
applications of bank-a's and one of bank-b's, decided (approved) by the oracle before the server starts
(the embedded chain is the server's while it runs). Built once a session; each module serves a copy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from oracle_world import apply, copy, grant, run
from server import serving

from api.client import ApiProblem
from ledger.chain import Identity, KeyStore

POLICY = ["--municipal-bps", "4000", "--district-bps", "2000", "--bank-bps", "4000", "--subsidy-bps", "2500",
          "--quorum", "1", "--approval-days", "30", "--claim-days", "180", "--loan-cap", "5,000,000",
          "--bank-year-cap", "50,000,000"]
"""As tests/api/test_cli_loans.py: 40% municipal, 20% district, 40% bank; a quarter of the interest subsidised."""


def refused(call: Callable[[], object], status: int, kind: str) -> dict[str, object]:
    """The problem document ``call`` is answered with, having checked its status and type."""
    with pytest.raises(ApiProblem) as problem:
        call()
    assert (problem.value.status, problem.value.problem["type"]) == (status, f"/problems/{kind}"), problem.value
    return problem.value.problem


@dataclass(frozen=True)
class Served:
    url: str
    home: Path
    consent_a: str
    consent_b: str
    ids: dict[str, list[int]]
    """Applications by bank key name."""

    def key(self, name: str) -> Identity:
        return KeyStore(self.home / "keys").load(name)


@dataclass(frozen=True)
class Decided:
    home: Path
    consent_a: str
    consent_b: str
    ids: dict[str, list[int]]


@pytest.fixture(scope="session")
def decided_base(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Decided:
    home = copy(http_base, tmp_path_factory.mktemp("decided") / "home")
    consent_a, consent_b = grant(home), grant(home, "bank-b")
    ids = {"bank-a": [apply(home, consent_a), apply(home, consent_a, amount="200,000")],
           "bank-b": [apply(home, consent_b, bank="bank-b")]}
    run(home, "oracle", "run", "--once")
    run(home, "policy", "set", *POLICY)  # what a disbursement keeps, and a claim draws on
    run(home, "pool", "fund", "municipal", "--amount", "10,000,000")
    run(home, "pool", "fund", "500103", "--amount", "1,000,000")
    return Decided(home, consent_a, consent_b, ids)


@pytest.fixture(scope="module")
def world(decided_base: Decided, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A running server over a copy of the decided world, for one test module."""
    home = copy(decided_base.home, tmp_path_factory.mktemp("served") / "home")
    with serving(home) as url:
        yield Served(url, home, decided_base.consent_a, decided_base.consent_b, decided_base.ids)
