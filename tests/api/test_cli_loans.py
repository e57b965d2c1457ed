"""`credtrace loan`, `pool` and `policy` end to end on the embedded devnet (issue 14): a loan from
application to REPAID and CLOSED, another through overdue, default, compensation, recovery and write-off,
the pools and the policy versions, `loan list` from the events, and the refusals and bad input, each one
`error:` line.

The oracle of issue 15 does not exist yet: decisions are sent here with the Python client, as the home's
`oracle` key, through `decide`.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.context import opened
from api.cli.loan import loan_ledger
from api.cli.model import model_registry
from api.settings import Settings
from ledger.catalogue.vault import PSEUDONYM_KEY, Pseudonymiser, load_key
from ledger.chain import KeyStore, TransactionSender
from ledger.chain.contract import DeployedContract
from ledger.contracts.loan_ledger import Decision

YUZHONG, JIANGBEI = "500103", "500105"
POLICY = ["--municipal-bps", "4000", "--district-bps", "2000", "--bank-bps", "4000", "--subsidy-bps", "2500",
          "--quorum", "1", "--approval-days", "30", "--claim-days", "180", "--loan-cap", "5,000,000",
          "--bank-year-cap", "50,000,000"]
"""40% municipal, 20% district, 40% bank; a quarter of the interest subsidised; caps of 5 and 50 million yuan."""


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    if not ok:
        assert result.exit_code == 1 and [line for line in result.output.splitlines() if line.strip()] == [
            line for line in result.output.splitlines() if line.startswith("error:")] and \
            result.output.count("error:") == 1, result.output
    return result.output


def shown(home: Path, *args: str) -> Any:
    return json.loads(run(home, *args, "--json"))


@dataclass(frozen=True)
class World:
    home: Path
    consent: str
    code: str
    model_id: str

    @property
    def settings(self) -> Settings:
        return Settings.build(self.home, None)

    def pseudonym(self) -> str:
        return Pseudonymiser(load_key(self.settings.secrets_dir / PSEUDONYM_KEY))(self.code)

    def apply(self, amount: str = "1,000,000", *extra: str) -> int:
        return int(run(self.home, "loan", "apply", "--enterprise", self.code, "--consent", self.consent,
                       "--amount", amount, "--term", "12", "--product", "SME-CREDIT-1Y", *extra).strip())

    def decide(self, application_id: int, approve: bool = True, limit: int = 0) -> Decision:
        """The demo oracle's decision, sent with the Python client (the oracle is issue 15)."""
        decision = Decision(application_id, approve, limit, 450, 21_000, 612, self.model_id, secrets.token_hex(32))
        settings = self.settings
        with opened(settings) as chain:
            oracle = TransactionSender(chain, KeyStore(settings.keys_dir).load("oracle").account)
            loan_ledger(chain, settings).decide(oracle, decision)
        return decision


@pytest.fixture
def world(tmp_path: Path) -> World:
    """init, deploy, bank-a, bank-b, the oracle and enterprise-1 registered, enterprise-1's consent to
    bank-a, and an approved model."""
    home = tmp_path / "home"
    for args in (["init"], ["deploy"], ["participants", "register", "bank-a", "bank-b", "oracle", "enterprise-1"]):
        run(home, *args)
    consent = run(home, "consent", "grant", "--category", "tax", "--purpose", "credit line review").strip()
    settings = Settings.build(home, None)
    model_id = secrets.token_hex(32)
    with opened(settings) as chain:
        operator = TransactionSender(chain, KeyStore(settings.keys_dir).load("operator").account)
        model_registry(chain, settings).register(operator, model_id, secrets.token_hex(32))
    run(home, "model", "approve", model_id)
    code = KeyStore(settings.keys_dir).load("enterprise-1").credit_code
    assert code is not None
    return World(home, consent, code, model_id)


def test_a_loan_from_application_to_repaid_and_closed(world: World) -> None:
    home = world.home
    run(home, "policy", "set", *POLICY)
    run(home, "pool", "fund", YUZHONG, "--amount", "100,000")
    application = world.apply("1,000,000")
    assert application == 1
    asked = shown(home, "loan", "show", "1")
    assert (asked["applicationId"], asked["status"], asked["amount"], asked["termMonths"]) == (1, "APPLIED", 10**8, 12)
    assert asked["subject"] == "0x" + world.pseudonym() and world.code not in json.dumps(asked)
    assert (asked["consentId"], asked["productId"], asked["limit"], asked["loss"]) == (
        world.consent, "SME-CREDIT-1Y", None, None)

    decision = world.decide(application, limit=80_000_000)  # 800,000 yuan of the million asked
    approved = shown(home, "loan", "show", "1")
    assert (approved["status"], approved["approved"], approved["limit"], approved["rateBps"], approved["pdPpm"],
            approved["score"]) == ("APPROVED", True, 80_000_000, 450, 21_000, 612)
    assert (approved["modelId"], approved["recordHash"]) == ("0x" + world.model_id, "0x" + decision.record_hash)
    assert "approved up to 800,000.00 yuan at 4.50%" in run(home, "loan", "show", "1")

    over = run(home, "loan", "disburse", "1", "--amount", "800,000.01", "--district", YUZHONG, ok=False)
    assert "LoanLedger: OverLimit(applicationId=1, amount=800,000.01 yuan, limit=800,000.00 yuan)" in over
    assert "application 1: DISBURSED, outstanding 800,000.00 yuan" in run(
        home, "loan", "disburse", "1", "--amount", "800,000", "--district", YUZHONG)
    assert "DISBURSED, outstanding 500,000.00 yuan" in run(
        home, "loan", "repay", "1", "--principal", "300,000", "--interest", "10,000.40")
    assert shown(home, "pool", "show", YUZHONG)["paid"] == 250_010  # a quarter of 10,000.40 yuan, in fen
    assert "REPAID, outstanding 0.00 yuan" in run(home, "loan", "repay", "1", "--principal", "500,000",
                                                  "--interest", "0")
    assert "CLOSED" in run(home, "loan", "close", "1")
    closed = shown(home, "loan", "show", "1")
    assert (closed["status"], closed["principal"], closed["repaidPrincipal"], closed["interestPaid"],
            closed["district"], closed["policyVersion"]) == ("CLOSED", 80_000_000, 80_000_000, 1_000_040, 500103, 1)
    assert shown(home, "loan", "list") == [{**{k: asked[k] for k in (
        "applicationId", "bank", "subject", "consentId", "amount", "termMonths", "productId")}, "status": "CLOSED"}]


def test_a_defaulted_loan_is_compensated_recovered_written_off_and_closed(world: World) -> None:
    home = world.home
    run(home, "policy", "set", *POLICY)
    run(home, "pool", "fund", "municipal", "--amount", "10,000,000")
    run(home, "pool", "fund", YUZHONG, "--amount", "100,000")  # less than the district's 20% share
    application = int(run(home, "loan", "apply", "--subject", world.pseudonym(), "--consent", world.consent,
                          "--amount", "1,000,000", "--term", "6", "--product", "SME-CREDIT-6M").strip())
    world.decide(application, limit=100_000_000)
    run(home, "loan", "disburse", str(application), "--amount", "1,000,000", "--district", YUZHONG)
    assert "OVERDUE" in run(home, "loan", "overdue", "1", "--days", "30")
    assert "application 1: DISBURSED" in run(home, "loan", "overdue", "1", "--days", "0")  # cured
    refused = run(home, "loan", "default", "1", "--days", "91", ok=False)  # not overdue now
    assert "IllegalTransition(applicationId=1, status=DISBURSED, operation=markDefault)" in refused
    run(home, "loan", "overdue", "1", "--days", "45")
    assert "DEFAULTED" in run(home, "loan", "default", "1", "--days", "91")

    claimed = run(home, "loan", "claim", "1")
    assert "COMPENSATED, outstanding 1,000,000.00 yuan" in claimed
    assert "municipal pool paid 400,000.00 yuan of 400,000.00 yuan" in claimed
    assert "district pool paid 100,000.00 yuan of 200,000.00 yuan" in claimed
    district = shown(home, "pool", "show", YUZHONG)
    assert (district["paid"], district["balance"], district["shortfall"]) == (100_000_00, 0, 100_000_00)

    recovered = run(home, "loan", "recover", "1", "--amount", "500,000")
    assert "COMPENSATED, outstanding 500,000.00 yuan" in recovered
    assert "returned from recoveries 200,000.00 yuan and 50,000.00 yuan" in recovered  # half of what each paid
    assert "WRITTEN_OFF, outstanding 0.00 yuan" in run(home, "loan", "write-off", "1")
    assert "CLOSED" in run(home, "loan", "close", "1")
    done = shown(home, "loan", "show", "1")
    assert (done["status"], done["recovered"], done["writtenOff"], done["loss"], done["municipalReturned"],
            done["districtReturned"], done["defaultedAt"] > 0) == (
        "CLOSED", 500_000_00, 500_000_00, 1_000_000_00, 200_000_00, 50_000_00, True)
    pools = {p["pool"]: p for p in shown(home, "pool", "show")}
    assert set(pools) == {0, 500103}
    for p in pools.values():  # money is conserved in every pool
        assert p["deposits"] + p["returned"] == p["paid"] + p["balance"]


def test_loan_list_reads_the_events_and_filters_by_bank_and_status(world: World,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    home = world.home
    run(home, "policy", "set", *POLICY)
    to_b = run(home, "consent", "grant", "--category", "tax", "--purpose", "credit", "--bank", "bank-b").strip()
    first, second = world.apply("100"), world.apply("200")
    third = int(run(home, "loan", "apply", "--enterprise", world.code, "--consent", to_b, "--amount", "300",
                    "--term", "3", "--product", "P", "--as", "bank-b").strip())
    world.decide(first, limit=10_000)
    world.decide(second, approve=False)
    bank_b = KeyStore(world.settings.keys_dir).load("bank-b").address

    calls: list[str] = []
    read = DeployedContract.call

    def counted(self: DeployedContract, function: str, *args: Any) -> Any:
        calls.append(function)
        return read(self, function, *args)

    monkeypatch.setattr(DeployedContract, "call", counted)
    everything = shown(home, "loan", "list")
    assert [(r["applicationId"], r["status"]) for r in everything] == [
        (first, "APPROVED"), (second, "DECLINED"), (third, "APPLIED")]
    assert calls == []  # two eth_getLogs, not a call per application
    assert [r["applicationId"] for r in shown(home, "loan", "list", "--bank", "bank-b")] == [third]
    assert [r["applicationId"] for r in shown(home, "loan", "list", "--bank", bank_b.lower())] == [third]
    assert [r["applicationId"] for r in shown(home, "loan", "list", "--status", "declined")] == [second]
    assert shown(home, "loan", "list", "--bank", "bank-a", "--status", "APPLIED") == []
    table = run(home, "loan", "list")
    assert "bank-b" in table and "DECLINED" in table and "300.00" in table


def test_pools_are_funded_by_a_regulator_and_shown(world: World) -> None:
    home = world.home
    assert "municipal: balance 2,500,000.50 yuan" in run(home, "pool", "fund", "municipal", "--amount", "2500000.50")
    run(home, "pool", "fund", JIANGBEI, "--amount", "1,000")
    assert "500105 (江北区): balance 2,000.00 yuan; deposits 2,000.00 yuan" in run(
        home, "pool", "fund", JIANGBEI, "--amount", "1,000")
    assert shown(home, "pool", "show") == [
        {"pool": 0, "deposits": 250_000_050, "paid": 0, "returned": 0, "balance": 250_000_050, "shortfall": 0},
        {"pool": 500105, "deposits": 200_000, "paid": 0, "returned": 0, "balance": 200_000, "shortfall": 0}]
    assert shown(home, "pool", "show", "municipal")["balance"] == 250_000_050
    assert shown(home, "pool", "show", YUZHONG)["deposits"] == 0  # never funded: an empty pool, not an error
    refused = run(home, "pool", "fund", "municipal", "--amount", "1", "--as", "bank-a", ok=False)
    assert "NotAuthorized(account=" in refused and "role=REGULATOR)" in refused


def test_policy_versions_are_set_by_a_regulator_and_shown(world: World) -> None:
    home = world.home
    assert "no loss-sharing policy yet" in run(home, "policy", "show", ok=False)
    partial = run(home, "policy", "set", "--quorum", "2", ok=False)
    assert "no policy yet to take the rest from" in partial and "--loan-cap" in partial and "--quorum" not in partial
    assert "SharesNotWhole(sum=9000)" in run(home, "policy", "set", *POLICY[:3], "1000", *POLICY[4:], ok=False)
    assert "NotAuthorized" in run(home, "policy", "set", *POLICY, "--as", "bank-a", ok=False)
    assert "loss-sharing policy version 1" in run(home, "policy", "set", *POLICY)
    assert "version 2" in run(home, "policy", "set", "--quorum", "2", "--loan-cap", "1,000,000")
    latest = shown(home, "policy", "show")
    assert latest == {"version": 2, "municipalBps": 4000, "districtBps": 2000, "bankBps": 4000, "subsidyBps": 2500,
                      "quorum": 2, "approvalValidity": 30 * 86_400, "claimWindow": 180 * 86_400,
                      "loanCap": 1_000_000_00, "bankYearCap": 50_000_000_00}
    assert shown(home, "policy", "show", "--version", "1")["quorum"] == 1
    text = run(home, "policy", "show", "--version", "1")
    assert "municipal pool 40.00%" in text and "5,000,000.00 yuan per loan" in text and "claims 180 days" in text
    assert "UnknownPolicy(version=3)" in run(home, "policy", "show", "--version", "3", ok=False)


def test_the_contract_refusals_are_one_line_naming_the_error(world: World) -> None:
    home = world.home
    assert "UnknownApplication(applicationId=7)" in run(home, "loan", "show", "7", ok=False)
    application = world.apply("1,000")
    assert "NoPolicy()" not in run(home, "loan", "disburse", "1", "--amount", "1", "--district", YUZHONG, ok=False)
    world.decide(application, limit=100_000)
    assert "NoPolicy()" in run(home, "loan", "disburse", "1", "--amount", "1", "--district", YUZHONG, ok=False)
    run(home, "policy", "set", *POLICY)
    assert "NotApplicationBank(applicationId=1, account=" in run(
        home, "loan", "disburse", "1", "--amount", "1", "--district", YUZHONG, "--as", "bank-b", ok=False)
    assert "IllegalTransition(applicationId=1, status=APPROVED, operation=claimCompensation)" in run(
        home, "loan", "claim", "1", ok=False)
    run(home, "loan", "disburse", "1", "--amount", "1,000", "--district", YUZHONG)
    assert "OverOutstanding(applicationId=1, amount=1,000.01 yuan, outstanding=1,000.00 yuan)" in run(
        home, "loan", "repay", "1", "--principal", "1,000.01", "--interest", "0", ok=False)
    assert "ZeroAmount()" in run(home, "loan", "repay", "1", "--principal", "0", "--interest", "0", ok=False)
    assert "ConsentNotValid(consentId=" in run(
        home, "loan", "apply", "--enterprise", world.code, "--consent", world.consent, "--amount", "1", "--term", "1",
        "--product", "P", "--as", "bank-b", ok=False)  # bank-a's consent, not bank-b's
    assert "NotAuthorized(account=" in run(
        home, "loan", "apply", "--enterprise", world.code, "--consent", world.consent, "--amount", "1", "--term", "1",
        "--product", "P", "--as", "oracle", ok=False)


CODE = "91350100M000100Y43"
CID = "0x" + "ab" * 32
APPLY = ["loan", "apply", "--enterprise", CODE, "--consent", CID, "--amount", "1", "--term", "12", "--product", "P"]


def replaced(args: list[str], option: str, value: str) -> list[str]:
    return [value if i and args[i - 1] == option else a for i, a in enumerate(args)]


BAD_INPUT = [
    (replaced(APPLY, "--amount", "abc"), "an amount is a number of yuan"),
    (replaced(APPLY, "--amount", "-5"), "not negative"),
    (replaced(APPLY, "--amount", "1.001"), "at most two decimals"),
    (replaced(APPLY, "--amount", "0"), "more than zero"),
    (replaced(APPLY, "--amount", "NaN"), "an amount is"),
    (replaced(APPLY, "--term", "0"), "a term in months is a whole number from 1 to 65535"),
    (replaced(APPLY, "--term", "x"), "a term in months"),
    (replaced(APPLY, "--term", "70000"), "a term in months"),
    (replaced(APPLY, "--term", "١٢"), "a term in months"),
    (replaced(APPLY, "--enterprise", "91350100M000100Y44"), "check character"),
    (replaced(APPLY, "--consent", "0x1234"), "a consent id is 64 hex digits"),
    (replaced(APPLY, "--product", "P" * 33), "a product code is 1 to 32"),
    (replaced(APPLY, "--product", "贷款"), "a product code is 1 to 32"),
    ([*APPLY, "--subject", "ab" * 32], "one of the two"),
    (["loan", "apply", "--consent", CID, "--amount", "1", "--term", "1", "--product", "P"], "one of the two"),
    (["loan", "apply", "--subject", "xyz", "--consent", CID, "--amount", "1", "--term", "1", "--product", "P"],
     "a subject (the enterprise's pseudonym) is 64 hex digits"),
    ([*APPLY, "--as", "nobody"], "no key named 'nobody'"),
    (["loan", "show", "x"], "an application id is a whole number of 1 or more"),
    (["loan", "show", "0"], "an application id"),
    (["loan", "show", str(2**300)], "an application id"),
    (["loan", "list", "--status", "PENDING"], "unknown status 'PENDING'; one of APPLIED, DECLINED"),
    (["loan", "list", "--status", "none"], "unknown status"),
    (["loan", "list", "--bank", "nobody"], "no key named 'nobody'"),
    (["loan", "list", "--bank", "0x1234"], "is not an account address"),
    (["loan", "disburse", "1", "--amount", "1", "--district", "5001"], "a district is a six-digit GB/T 2260"),
    (["loan", "disburse", "1", "--amount", "1", "--district", "500100"], "a district is"),
    (["loan", "disburse", "1", "--amount", "1", "--district", "050103"], "a district is"),
    (["loan", "disburse", "1", "--amount", "1", "--district", "municipal"], "a district is"),
    (["loan", "disburse", "1", "--amount", "1,0x", "--district", YUZHONG], "an amount is"),
    (["loan", "disburse", "1", "--amount", "1", "--district", YUZHONG, "--as", "bank c"], "key name"),
    (["loan", "repay", "1", "--principal", "x", "--interest", "0"], "an amount is"),
    (["loan", "repay", "1", "--principal", "1", "--interest", "-0.01"], "not negative"),
    (["loan", "overdue", "1", "--days", "-1"], "days past due is a whole number from 0 to 4294967295"),
    (["loan", "default", "1", "--days", str(2**32)], "days past due"),
    (["loan", "recover", "1", "--amount", "0"], "more than zero"),
    (["loan", "claim", "1e3"], "an application id"),
    (["loan", "write-off", "1.5"], "an application id"),
    (["loan", "close", "1", "--as", "nobody"], "no key named 'nobody'"),
    (["pool", "fund", "county", "--amount", "1"], "a pool is 'municipal' or a district's six-digit code"),
    (["pool", "fund", "municipal", "--amount", "¥1"], "an amount is"),
    (["pool", "fund", "municipal", "--amount", "1", "--as", "nobody"], "no key named 'nobody'"),
    (["pool", "show", "12"], "a pool is"),
    (["policy", "set"], "nothing to set"),
    (["policy", "set", "--quorum", "0"], "--quorum is a whole number from 1 to 255"),
    (["policy", "set", "--municipal-bps", "10001"], "--municipal-bps is a whole number from 0 to 10000"),
    (["policy", "set", "--approval-days", "0"], "--approval-days"),
    (["policy", "set", "--claim-days", "50000"], "--claim-days"),
    (["policy", "set", "--loan-cap", "lots"], "an amount is"),
    (["policy", "show", "--version", "0"], "a policy version"),
]


@pytest.fixture(scope="module")
def bare_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("loans") / "home"
    run(home, "init")
    run(home, "deploy")
    return home


@pytest.mark.parametrize(("args", "said"), BAD_INPUT, ids=[" ".join(a)[:60] for a, _ in BAD_INPUT])
def test_bad_input_is_one_error_line_before_any_chain(bare_home: Path, args: list[str], said: str) -> None:
    chain_files = sorted((bare_home / "devnet").rglob("*"))
    stamps = [(p, p.stat().st_mtime_ns) for p in chain_files if p.is_file()]
    assert said in run(bare_home, *args, ok=False)
    assert [(p, p.stat().st_mtime_ns) for p, _ in stamps] == stamps  # refused before the chain was opened
