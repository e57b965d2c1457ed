"""Keys are made by `credtrace init` alone: a lost HOME/secrets stops every command instead of silently
starting a new pseudonym, and nothing but init writes a key — on the embedded devnet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli.keys import demo_enterprise_code


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output
    return result.output


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    run(home, "init")
    run(home, "deploy")
    run(home, "participants", "register", "regulator")
    return home


def test_init_makes_the_catalogue_keys_private_and_keeps_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run(home, "init")
    assert "created  secrets/catalogue.key" in out and "created  secrets/pseudonym.key" in out
    keys = {p.name: p.read_text() for p in (home / "secrets").iterdir()}
    assert sorted(keys) == ["catalogue.key", "pseudonym.key"] and len(set(keys.values())) == 2
    assert mode(home / "secrets") == 0o700 and {mode(p) for p in (home / "secrets").iterdir()} == {0o600}
    assert "kept     secrets/pseudonym.key" in run(home, "init")
    assert {p.name: p.read_text() for p in (home / "secrets").iterdir()} == keys


def test_a_lost_secrets_folder_stops_every_command_and_makes_no_new_key(home: Path, tmp_path: Path) -> None:
    code = demo_enterprise_code()
    run(home, "sanctions", "add", code, "--reason", "false tax data")
    shutil.rmtree(home / "secrets")
    batch = tmp_path / "tax.csv"
    batch.write_text("credit_code,period\n")
    for command in (("sanctions", "show", code), ("data", "ingest", "tax", str(batch))):
        out = " ".join(run(home, *command, ok=False).split())
        assert out.startswith(f"error: {home / 'secrets' / 'catalogue.key'} is missing.")
        assert "created only by `credtrace init`" in out and "`credtrace keys restore ARCHIVE`" in out
        assert "a new key would orphan every pseudonym and encrypted record" in out
    assert not (home / "secrets").exists()
