"""Keys are made by `credtrace init` alone: a lost HOME/secrets stops every command instead of silently
starting a new pseudonym, and a key the database was not written with is refused — on the embedded devnet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.cli.keys import demo_enterprise_code
from api.settings import Settings
from ledger.catalogue.fingerprints import fingerprint


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


def test_a_key_from_another_home_is_refused_by_its_fingerprint(home: Path, tmp_path: Path) -> None:
    code = demo_enterprise_code()
    run(home, "sanctions", "add", code, "--reason", "false tax data")
    run(tmp_path / "other", "init")
    ours = home / "secrets" / "pseudonym.key"
    kept = ours.read_bytes()
    shutil.copy(tmp_path / "other" / "secrets" / "pseudonym.key", ours)
    out = " ".join(run(home, "sanctions", "show", code, ok=False).split())
    expected = fingerprint("pseudonym.key", bytes.fromhex(kept.decode()))
    assert out.startswith(f"error: {ours} is not the key this database was written with (fingerprint ")
    assert f", expected {expected}): restore the right key" in out
    ours.write_bytes(kept)
    assert run(home, "sanctions", "show", code).startswith("listed since")


def test_the_database_holds_fingerprints_never_keys(home: Path) -> None:
    engine = sa.create_engine(Settings.build(home, None).db_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT name, fingerprint FROM key_fingerprints")).all())
    engine.dispose()
    keys = {p.name: bytes.fromhex(p.read_text()) for p in (home / "secrets").iterdir()}
    assert rows == {name: fingerprint(name, key) for name, key in keys.items()}
    assert all(len(rows[name]) == 16 and rows[name] not in key.hex() for name, key in keys.items())
