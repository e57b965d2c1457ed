"""The `credtrace` command end to end: keys, deploy (twice), participants, errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from ledger_story import recompute
from typer.testing import CliRunner
from web3 import Web3

from api.cli import app
from api.cli.context import opened
from api.settings import Settings
from ledger.chain import Chain, TransactionSender, deployment
from ledger.chain.identity import DEV_ONLY, KeyStore
from ledger.errors import LedgerError, TransactionError
from ledger.identifiers.scan import identifiers_in
from ledger.migrations import open_engine
from ledger.provenance import LogStore
from ledger.types import Role


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_init_writes_dev_only_keys_readable_by_owner_only(home: Path) -> None:
    out = run(home, "init")
    assert "created  operator" in out and "DEV-ONLY" in out
    files = sorted((home / "keys").glob("*.json"))
    assert len(files) == 16
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert json.loads(f.read_text())["warning"] == DEV_ONLY
    before = {f.name: f.read_bytes() for f in files}
    assert "kept     operator" in run(home, "init")
    assert before == {f.name: f.read_bytes() for f in files}


def test_deploy_to_anvil_twice_does_not_redeploy(home: Path, anvil_url: str) -> None:
    run(home, "init")
    out = run(home, "deploy", "--rpc", anvil_url)
    assert "deployed to " + anvil_url in out
    written = (home / "deployment.json").read_text()
    doc = json.loads(written)
    assert doc["chain_id"] == 31337 and doc["endpoint"] == anvil_url
    record = doc["contracts"]["ParticipantRegistry"]
    assert len(record["artifact_sha256"]) == 64
    block = Web3(Web3.HTTPProvider(anvil_url)).eth.block_number

    out = run(home, "deploy", "--rpc", anvil_url)
    assert "already deployed and live" in out
    assert (home / "deployment.json").read_text() == written
    assert Web3(Web3.HTTPProvider(anvil_url)).eth.block_number == block

    out = run(home, "deploy", "--rpc", anvil_url, "--redeploy")
    assert "kept the previous deployment" in out
    assert json.loads((home / "deployment.json").read_text())["contracts"] != doc["contracts"]


def test_deployment_for_another_chain_is_refused(home: Path, anvil_url: str) -> None:
    run(home, "init")
    run(home, "deploy", "--rpc", anvil_url)
    out = run(home, "deploy", ok=False)
    assert "does not match the chain" in out and "--redeploy" in out


def test_a_redeploy_that_fails_leaves_the_deployment_file_as_it_was(
    home: Path, anvil_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.chain import deployment

    run(home, "init")
    run(home, "deploy", "--rpc", anvil_url)
    written = (home / "deployment.json").read_bytes()

    def fails(*_: object) -> None:
        raise LedgerError("the node refused the deployment")

    monkeypatch.setattr(deployment, "deploy", fails)
    out = run(home, "deploy", "--rpc", anvil_url, "--redeploy", ok=False)
    assert "error: the node refused the deployment" in out
    assert (home / "deployment.json").read_bytes() == written
    assert sorted(p.name for p in home.glob("deployment*")) == ["deployment.json"]


def test_participants_commands_and_named_errors(home: Path, anvil_url: str) -> None:
    run(home, "init")
    run(home, "deploy", "--rpc", anvil_url)
    run(home, "participants", "register", "bank-a", "--rpc", anvil_url)  # the regulator came with genesis
    out = run(
        home,
        "participants",
        "suspend",
        "bank-a",
        "--reason",
        "probe",
        "--as",
        "bank-a",
        "--rpc",
        anvil_url,
        ok=False,
    )
    assert "NotAuthorized(account=" in out and "role=REGULATOR)" in out
    assert "SUSPENDED" in run(
        home, "participants", "suspend", "bank-a", "--reason", "probe", "--rpc", anvil_url
    )
    out = run(home, "participants", "list", "--rpc", anvil_url)
    assert "bank-a" in out and "SUSPENDED" in out and "regulator" in out


def test_regulators_and_auditors_are_appointed_by_a_majority_of_regulators(home: Path, anvil_url: str) -> None:
    """Issue 12 (high): not by the operator, who could otherwise appoint an account it controls."""
    run(home, "init")
    KeyStore(home / "keys").create("regulator-2", Role.REGULATOR, "Second Regulator (test)")
    assert "genesis regulator: regulator" in run(home, "deploy", "--rpc", anvil_url)
    refused = run(home, "participants", "register", "auditor", "--rpc", anvil_url, ok=False)
    assert refused.count("error:") == 1 and "AppointedByRegulators(role=AUDITOR)" in refused
    assert "NotAuthorized" in run(home, "participants", "appoint", "auditor", "--as", "operator", "--rpc", anvil_url,
                                  ok=False)
    assert "regulator-2: appointed REGULATOR" in run(home, "participants", "appoint", "regulator-2", "--rpc", anvil_url)
    assert "auditor: proposed as AUDITOR (proposal 1), 1 of 2 approvals" in run(
        home, "participants", "appoint", "auditor", "--rpc", anvil_url)
    assert "AlreadyApproved" in run(home, "participants", "approve", "auditor", "--rpc", anvil_url, ok=False)
    listed = run(home, "participants", "proposals", "--rpc", anvil_url)
    assert "ENACTED" in listed and "OPEN" in listed and "1/2" in listed
    assert "auditor: appointed AUDITOR" in run(
        home, "participants", "approve", "auditor", "--as", "regulator-2", "--rpc", anvil_url)
    assert "no open proposal appoints" in run(home, "participants", "approve", "auditor", "--rpc", anvil_url, ok=False)
    listed = run(home, "participants", "list", "--rpc", anvil_url)
    assert "auditor" in listed and "AUDITOR" in listed and "regulator-2" in listed


def test_commands_without_keys_say_what_to_run(home: Path) -> None:
    assert "no key named 'operator'" in run(home, "deploy", ok=False)


def test_unreachable_node_is_a_clear_error(home: Path) -> None:
    run(home, "init")
    out = run(home, "deploy", "--rpc", "http://127.0.0.1:9", ok=False)
    assert "no Ethereum JSON-RPC node answers at http://127.0.0.1:9" in out


def test_demo_runs_end_to_end(home: Path) -> None:
    out = run(home, "demo", "tour")
    assert "→ refused: ParticipantRegistry: NotAuthorized" in out
    assert "account of its own as regulator → refused: ParticipantRegistry: AppointedByRegulators" in out
    assert "bank-b has the BANK role while suspended: False" in out
    assert out.count("ACTIVE") == 16
    assert "rows stored encrypted" in out and "3 rejected" in out
    assert "bank-b tries to read → granted to another bank (DENIED event" in out
    assert "the oracle reads for bank-a" in out and "checked against the chain alone" in out
    assert "log verified from the events up" in out and "all consistent" in out
    assert "out-of-time: AUC 0.8" in out and "may serve decisions: True" in out
    assert "application 1: APPROVED, record" in out and "application 4: DECLINED, record" in out  # the oracle
    assert "reason    SANCTIONED: The enterprise is on the sanctions list" in out  # enterprise-4's record
    assert "ok  signatures:" in out and "valid: the record is the one decided on chain" in out  # decision verify
    assert "of it (贴息)" in out and "→ REPAID" in out
    assert "the municipal pool pays 160,000.00, district 500103 pays 80,000.00" in out  # 40% and 20% of 400,000
    assert "48,000.00 to the municipal pool, 24,000.00 to district 500103" in out  # 120,000 shared back 40:20
    assert "applications: 1 REPAID, 2 REPAID, 3 COMPENSATED, 4 DECLINED" in out
    assert "ok: replayed" in out and "everything matches" in out  # the regulator's replay (issue 16)
    assert "record check 'signatures' fails" in out and "caught: the edited record of application 1" in out
    assert "not a terminal (or CI=true)" in out and f"credtrace --home {home.resolve()} serve --port 8000" in out
    again = run(home, "demo", "tour")  # resumes: same chain, the catalogue already full, the log grows
    assert "already deployed and live" in again and "nothing to ingest" in again
    assert "ok: replayed" in again  # the drill edited a throwaway copy: this home still replays clean
    assert "policy v1 is in force (kept)" in again and "applications: 5 REPAID, 6 REPAID, 7 COMPENSATED" in again
    assert "│ enterprise-3 " in again and "│ ? " not in again  # the loans' enterprises are named in the table
    store = LogStore(open_engine(Settings.build(home, None).db_url))
    carrying = [(index, kind) for index, _, body in store.leaves(0, store.size())
                for kind in identifiers_in(body)]  # the whole log, scanned as text
    assert store.size() > 300 and carrying == []
    assert "Operating ledger from LoanLedger" in again and "NPL" in again
    _loans_and_pools_are_as_the_demo_left_them(home)
    _the_ledger_report_is_the_loan_events_recomputed(home)
    _no_transaction_or_event_carries_an_identifier(home)


def _the_ledger_report_is_the_loan_events_recomputed(home: Path) -> None:
    """``ledger report --json`` after the demo's loans equals the ledger recomputed from eth_getLogs with
    web3 alone (tests/ledger/operating/ledger_story.py, which does not import the report's fold)."""
    doc = json.loads(run(home, "ledger", "report", "--json"))
    doc.pop("source")
    settings = Settings.build(home, None)
    record = deployment.load(settings.deployment_path).contracts["LoanLedger"]
    with opened(settings) as chain:
        assert doc == recompute(chain.web3, record.address, record.block_number)
    assert doc["totals"]["applications"] >= 8  # two rounds of the demo's four


def _loans_and_pools_are_as_the_demo_left_them(home: Path) -> None:
    from api.cli.demo_loans import POOLS
    from api.platform import opened_platform
    from ledger.types import LoanStatus

    settings = Settings.build(home, None)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        statuses = [p.loans.loan(n).status for n in range(1, p.loans.application_count() + 1)]
        assert statuses == [LoanStatus.REPAID, LoanStatus.REPAID, LoanStatus.COMPENSATED, LoanStatus.DECLINED] * 2
        assert p.loans.policy_version() == 1
        for pool in map(p.loans.pool, POOLS):  # every pool: deposits + returned = paid + balance
            assert pool.deposits + pool.returned == pool.paid + pool.balance and pool.shortfall == 0


def _no_transaction_or_event_carries_an_identifier(home: Path) -> None:
    """Every transaction's input and every event's data and topics in every block of the demo's chain,
    scanned for raw identifiers; then a transaction that does carry one is put on chain and found."""
    from api.cli.demo_data import demo_pilot
    from api.cli.demo_loans import CONSENTED
    from api.platform import opened_platform
    from ledger.contracts.consent import Grant, new_nonce, purpose

    settings = Settings.build(home, None)
    with opened(settings) as chain:
        assert _identifiers_on_chain(chain) == []
        code = demo_pilot().enterprises[0].credit_code
        keys = KeyStore(settings.keys_dir)
        enterprise, bank = keys.load("enterprise-1"), keys.load("bank-a")
        with opened_platform(settings, chain) as p:  # the client refuses it as a product code; the contract takes it
            subject = bytes(p.org_id(enterprise))
            g = Grant(enterprise.address, bank.address, subject, CONSENTED, purpose("credit-assessment"), 0,
                      2**40, new_nonce())
            signed = p.consents.sign_grant(g, enterprise.account)
            p.consents.grant(TransactionSender(chain, p.operator.account), g, signed)
            receipt = p.loans.contract.transact(TransactionSender(chain, bank.account), "applyFor", subject,
                                                p.consents.consent_id(g), 100, 12, code.encode().ljust(32, b"\0"))
        found = _identifiers_on_chain(chain)
        assert found == [(receipt["transactionHash"].hex(), "input", "a unified social credit code"),
                         (receipt["transactionHash"].hex(), "event", "a unified social credit code")]


def _identifiers_on_chain(chain: Chain) -> list[tuple[str, str, str]]:
    """(transaction hash, "input" or "event", kind) for each raw identifier in any block's transactions."""
    from ledger.identifiers.scan import identifiers_in_bytes

    w3, found = chain.web3, []
    for number in range(w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            assert not isinstance(tx, bytes)
            data = bytes(tx["input"])
            found += [(tx["hash"].hex(), "input", kind) for kind in identifiers_in_bytes(data, 4 if tx["to"] else 0)]
            for log in w3.eth.get_transaction_receipt(tx["hash"])["logs"]:
                parts = [bytes(log["data"]), *map(bytes, log["topics"])]
                found += [(tx["hash"].hex(), "event", kind) for part in parts for kind in identifiers_in_bytes(part)]
    return found


def test_embedded_devnet_persists_and_admits_only_active_participants(home: Path) -> None:
    run(home, "init")
    assert "deployed to embedded devnet" in run(home, "deploy")
    run(home, "participants", "register", "bank-a", "bank-b", "tax-bureau")
    run(home, "participants", "exit", "tax-bureau", "--reason", "leaving the pilot", "--as", "tax-bureau")
    run(home, "participants", "exit", "bank-b", "--reason", "leaving the pilot", "--as", "bank-b")
    assert "already deployed and live" in run(home, "deploy")  # a new process, the same chain

    settings = Settings.build(home, None)
    store = KeyStore(settings.keys_dir)
    with opened(settings) as chain:
        height = chain.web3.eth.block_number
        TransactionSender(chain, store.load("bank-a").account).transact(
            {"to": store.load("operator").address, "value": 1, "gas": 21_000})
        with pytest.raises(TransactionError, match="is not admitted"):
            TransactionSender(chain, store.load("tax-bureau").account).send(
                {"to": store.load("operator").address, "value": 1, "gas": 21_000})
        # An exited bank still reports on its loans (R8); the contracts refuse it anything new.
        TransactionSender(chain, store.load("bank-b").account).transact(
            {"to": store.load("operator").address, "value": 1, "gas": 21_000})
        assert chain.web3.eth.block_number == height + 2  # the banks' transfers, nothing for the bureau


def test_a_long_error_is_still_one_line(tmp_path: Path) -> None:
    """Rich wrapped errors at 140 columns when piped: a revert naming ids and addresses came out as two lines."""
    home = tmp_path / ("h" * 150)
    home.write_text("a file, not a folder")
    out = run(home, "log", "verify", ok=False)
    assert out.startswith("error: the home ") and len(out.strip().splitlines()) == 1
