"""``credtrace audit state-proof`` on the embedded devnet: a granted consent's and an application's records
proved against the sealed head and shown field by field (the same as the contracts' own views), a plain
slot, a record that did not exist yet at an older block, a contract named by address; a validator that did
not seal fails its check and exits 1; bad arguments are one ``error:`` line before any chain is opened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from ledger.chain import KeyStore, deployment

POLICY = ["--municipal-bps", "4000", "--district-bps", "2000", "--bank-bps", "4000", "--subsidy-bps", "2500",
          "--quorum", "1", "--approval-days", "30", "--claim-days", "180", "--loan-cap", "5,000,000",
          "--bank-year-cap", "50,000,000"]


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    if not ok:
        assert result.exit_code == 1 and result.output.count("error:") == 1, result.output
    return result.output


def proof(home: Path, *args: str, ok: bool = True) -> Any:
    return json.loads(run(home, "audit", "state-proof", *args, "--json", ok=ok).split("error:")[0])


class World:
    def __init__(self, home: Path, consent: str, before_grant: int) -> None:
        self.home, self.consent, self.before_grant = home, consent, before_grant

    def address(self, name: str) -> str:
        return KeyStore(Settings.build(self.home, None).keys_dir).load(name).address


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """init, deploy, bank-a and enterprise-1 registered, enterprise-1's consent to bank-a, a policy, and
    application 1 under that consent."""
    home = tmp_path_factory.mktemp("state") / "home"
    for args in (["init"], ["deploy"], ["participants", "register", "bank-a", "enterprise-1"]):
        run(home, *args)
    before = proof(home, "ConsentRegistry", "0")["block"]["number"]
    consent = run(home, "consent", "grant", "--category", "tax", "--purpose", "credit line review").strip()
    run(home, "policy", "set", *POLICY)
    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    run(home, "loan", "apply", "--enterprise", code, "--consent", consent, "--amount", "1,000,000", "--term", "12",
        "--product", "SME-CREDIT-1Y")
    return World(home, consent, before)


def test_a_granted_consent_is_proved_and_shown_field_by_field(world: World) -> None:
    doc = proof(world.home, "--consent", world.consent)
    assert doc["ok"] and [c["name"] for c in doc["checks"][:4]] == ["block hash", "seal", "account", "code"]
    assert len(doc["checks"]) == 4 + 8 and all(c["ok"] for c in doc["checks"])  # a consent spans eight slots
    record = doc["record"]
    assert record["of"] == f"consent {world.consent}" and record["exists"]
    assert record["grant.enterprise"] == world.address("enterprise-1")
    assert record["grant.bank"] == world.address("bank-a")
    assert record["grant.categories"] == 1 and record["revokedAt"] == 0  # tax alone; in force
    assert record["grant.notBefore"] < record["grantedAt"] < record["grant.expiresAt"]
    text = run(world.home, "audit", "state-proof", "ConsentRegistry", "--consent", world.consent)
    assert "  ok    seal        sealed by the validator 0x" in text and "FAIL" not in text
    assert f"consent {world.consent}: ConsentRegistry._consents at slot 0x" in text
    assert f"  grant.bank        {world.address('bank-a')}" in text


def test_an_application_is_the_record_loan_show_reads(world: World) -> None:
    record = proof(world.home, "--application", "1")["record"]
    shown = json.loads(run(world.home, "loan", "show", "1", "--json"))
    for name in ("bank", "subject", "consentId", "amount", "termMonths"):
        assert record[name] == shown[name], name
    assert bytes.fromhex(record["productId"][2:]).rstrip(b"\0").decode() == shown["productId"]


def test_a_slot_by_number_and_a_contract_by_address(world: World) -> None:
    contracts = deployment.load(Settings.build(world.home, None).deployment_path).contracts
    registry = contracts["ParticipantRegistry"].address.lower()
    by_name = proof(world.home, "ConsentRegistry", "0")  # slot 0: `registry`, the ParticipantRegistry
    assert by_name["slots"] == {"0x0": "0x" + "00" * 12 + registry[2:]}
    by_address = proof(world.home, contracts["ConsentRegistry"].address, "0x0")
    assert by_address["slots"] == by_name["slots"] and [c["name"] for c in by_address["checks"]][3] == "code"
    stranger = proof(world.home, "0x" + "22" * 20, "1")  # no artifact to compare its code with: no code check
    assert stranger["ok"] and [c["name"] for c in stranger["checks"]] == ["block hash", "seal", "account", "slot 0x1"]
    assert stranger["checks"][2]["detail"] == "proven absent (an empty account)"


def test_at_a_block_before_the_grant_the_consent_is_proven_absent(world: World) -> None:
    doc = proof(world.home, "--consent", world.consent, "--block", str(world.before_grant))
    assert doc["ok"] and not doc["record"]["exists"] and set(doc["slots"].values()) == {"0x" + "00" * 32}
    text = run(world.home, "audit", "state-proof", "--consent", world.consent,
               "--block", str(world.before_grant))
    assert "no record: every slot of it is proven empty" in text


def test_a_header_not_sealed_by_the_given_validator_fails_and_exits_1(world: World) -> None:
    other = "0x" + "11" * 20
    doc = proof(world.home, "ConsentRegistry", "0", "--validator", other, ok=False)
    failed = [c for c in doc["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["seal"] and f"not by the validator {other}" in failed[0]["detail"]
    text = run(world.home, "audit", "state-proof", "ConsentRegistry", "0", "--validator", other, ok=False)
    assert "  FAIL  seal" in text and "error: state proof of 0x" in text


@pytest.mark.parametrize(("args", "said"), [
    (["ConsentRegistry"], "give one of SLOT, --consent ID and --application ID"),
    (["ConsentRegistry", "0", "--application", "1"], "give one of SLOT, --consent ID and --application ID"),
    (["ConsentRegistry", "zero"], "SLOT must be a number"),
    (["ConsentRegistry", str(2**256)], "is not a 256-bit slot"),
    (["LoanLedger", "--consent", "0x" + "01" * 32], "a consent is kept by ConsentRegistry, not LoanLedger"),
    (["--consent", "0x01"], "consent id must be 32 bytes"),
    (["Nope", "1"], "Nope is not in the deployment"),
    (["ConsentRegistry", "0", "--validator", "me"], "--validator must be an address"),
])
def test_bad_arguments_are_one_error_line(world: World, args: list[str], said: str) -> None:
    assert said in run(world.home, "audit", "state-proof", *args, ok=False)
