"""Reasons and revocations through the CLI on the embedded devnet: a suspended enterprise still
revokes (by signature), and the sanctions history reads back with times, codes and kept texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from ledger.chain import KeyStore


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("reasons") / "home"
    run(home, "init")
    run(home, "deploy")
    run(home, "participants", "register", "enterprise-1", "bank-a")  # the regulator came with genesis
    return home


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_a_suspended_enterprise_still_revokes_its_consent(home: Path) -> None:
    consent = run(home, "consent", "grant", "--category", "tax", "--purpose", "credit").strip().splitlines()[-1]
    assert "SUSPENDED" in run(home, "participants", "suspend", "enterprise-1", "--reason", "DATA_MISUSE")
    assert f"revoked {consent}" in run(home, "consent", "revoke", consent)  # its own transaction is not admitted
    assert "AlreadyRevoked" in run(home, "consent", "revoke", consent, ok=False)
    run(home, "participants", "reinstate", "enterprise-1", "--reason", "REVIEW_CLEARED")


def test_sanctions_show_gives_every_listing_and_lift_with_its_time_and_reason(home: Path) -> None:
    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    assert "not listed" in run(home, "sanctions", "show", code)
    text = "虚报纳税数据经核查属实列入联合惩戒名单"  # longer than bytes32: goes on chain as its SHA-256
    run(home, "sanctions", "add", code, "--reason", text)
    run(home, "sanctions", "lift", code, "--reason", "CORRECTED")
    out = run(home, "sanctions", "show", code)
    first, listed, lifted = out.strip().splitlines()
    assert first == "not listed"
    assert " listed by " in listed and text in listed and hashlib.sha256(text.encode()).hexdigest()[:16] in listed
    assert " lifted by " in lifted and "CORRECTED (the cause was corrected)" in lifted
    assert listed.strip()[:4].isdigit() and "T" in listed.split()[0] and listed.split()[0].endswith("Z")


def test_a_reason_carrying_an_identifier_is_refused_before_anything_is_sent(home: Path) -> None:
    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    out = run(home, "sanctions", "add", code, "--reason", f"fake data by {code}", ok=False)
    assert "carries a unified social credit code" in out and code not in out
    assert run(home, "sanctions", "show", code).startswith("not listed")
