"""``credtrace ledger report`` on a home: nothing deployed, an empty chain, and the scripted loans
(tests/ledger/operating/ledger_story.py) whose ``--json`` must equal the ledger recomputed from
``eth_getLogs`` with web3 alone; ``--html`` writes one self-contained page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account
from ledger_story import play, recompute
from loan_world import build
from nacl.signing import SigningKey
from typer.testing import CliRunner

from api.cli import app
from ledger.chain import Chain, Identity, TransactionSender, connect, deployment
from ledger.chain.identity import _to_doc
from ledger.types import Role


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(home: Path, *args: str, ok: bool = True) -> tuple[str, str]:
    """(stdout, everything printed)."""
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    return result.stdout, result.output


def test_nothing_deployed_is_one_clean_error(home: Path, tmp_path: Path) -> None:
    for extra in ([], ["--rpc", "http://127.0.0.1:9"], ["--json", "--html", str(tmp_path / "page.html")]):
        _, out = run(home, "ledger", "report", *extra, ok=False)
        assert out.count("error:") == 1 and "no deployment at" in out and "run `credtrace deploy` first" in out
        assert "Traceback" not in out
    assert not (tmp_path / "page.html").exists()


def test_an_empty_chain_has_an_empty_ledger(home: Path, tmp_path: Path) -> None:
    run(home, "init")
    run(home, "deploy")  # the embedded devnet: no loans, no policy, no pool
    stdout, _ = run(home, "ledger", "report", "--json")
    doc = json.loads(stdout)
    assert (doc["banks"], doc["districts"], doc["pools"], doc["policies"]) == ([], [], [], [])
    assert doc["totals"]["applications"] == 0 and doc["totals"]["outstanding"] == 0
    assert doc["totals"]["nplRatio"] is None and doc["totals"]["nplRatioBps"] is None
    recorded = deployment.load(home / "deployment.json").contracts["LoanLedger"]
    assert doc["source"]["contract"] == recorded.address and doc["source"]["fromBlock"] == recorded.block_number
    stdout, _ = run(home, "ledger", "report", "--html", str(tmp_path / "empty.html"))
    assert "Lending by bank" in stdout and "Risk compensation pools" in stdout and "wrote " in stdout
    assert "<h1>Operating ledger" in (tmp_path / "empty.html").read_text()


def test_an_html_page_in_a_missing_folder_is_refused_before_reading(home: Path, tmp_path: Path) -> None:
    _, out = run(home, "ledger", "report", "--html", str(tmp_path / "nowhere" / "page.html"), ok=False)
    assert out.count("error:") == 1 and "no folder" in out and not (tmp_path / "nowhere").exists()


@pytest.fixture
def anvil_chain(anvil_url: str) -> Iterator[Chain]:
    chain = connect(anvil_url)
    yield chain
    chain.close()


@pytest.mark.slow
def test_the_report_of_the_scripted_loans_is_their_ledger_recomputed_from_the_logs(
        home: Path, tmp_path: Path, anvil_url: str, anvil_chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    deployed: list[deployment.Deployment] = []
    deploy = deployment.deploy
    monkeypatch.setattr(deployment, "deploy", lambda *a: deployed.append(deploy(*a)) or deployed[-1])
    world = build(anvil_chain, "anvil", lambda role: _identity(anvil_chain, role),
                  lambda who: TransactionSender(anvil_chain, who.account))
    deployment.save(deployed[0], home / "deployment.json")  # the home now names the world's contracts
    (home / "keys").mkdir(mode=0o700)  # and knows the first bank by a key name
    (home / "keys" / "bank-a.json").write_text(json.dumps(_to_doc(replace(world.banks[0], name="bank-a"))))
    play(world)

    stdout, _ = run(home, "ledger", "report", "--json", "--html", str(tmp_path / "ledger.html"), "--rpc", anvil_url)
    doc = json.loads(stdout)
    source = doc.pop("source")
    loan_ledger = deployed[0].contracts["LoanLedger"]
    assert (source["contract"], source["fromBlock"]) == (loan_ledger.address, loan_ledger.block_number)
    assert doc == recompute(anvil_chain.web3, loan_ledger.address, loan_ledger.block_number)
    page = (tmp_path / "ledger.html").read_text()
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")  # nothing fetched, no code
    assert "Default and loss sharing by district" in page and "500105" in page

    stdout, _ = run(home, "ledger", "report", "--rpc", anvil_url)
    for title in ("Lending by bank", "Default and loss sharing by bank", "Lending by district",
                  "Risk compensation pools", "Loss-sharing policies"):
        assert title in stdout
    assert "79.59%" in stdout  # the NPL ratio of all loans, 39/49
    second = world.banks[1].address
    assert "│ bank-a " in stdout and f"│ {second[:6]}…{second[-4:]} " in stdout  # a name, else a short address
    assert "bank-a" in page and second in page


def _identity(chain: Chain, role: Role) -> Identity:
    who = Identity(role.name.lower(), role, f"{role.name} org {time.time_ns()}", Account.create(),
                   SigningKey.generate())
    chain.fund(who.address, 10**20)
    return who
