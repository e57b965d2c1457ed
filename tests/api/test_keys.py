"""Keys are made by `credtrace init` alone: a lost HOME/secrets stops every command instead of silently
starting a new pseudonym, a key the database was not written with is refused, and an encrypted backup
brings lost keys back — on the embedded devnet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from nacl.pwhash import argon2id
from typer.testing import CliRunner

from api import key_archive
from api.cli import app
from api.cli.keys import demo_enterprise_code
from api.settings import Settings
from ledger.catalogue.fingerprints import fingerprint

PASSPHRASE = "correct horse battery staple"


def run(home: Path, *args: str, ok: bool = True, passphrase: str | None = PASSPHRASE, given: str = "") -> str:
    env = {"COLUMNS": "200", "CREDTRACE_PASSPHRASE": passphrase}
    result = CliRunner().invoke(app, ["--home", str(home), *args], env=env, input=given)
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture(autouse=True)
def quick_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at libsodium's INTERACTIVE cost, not MODERATE: the archive carries whichever it used."""
    monkeypatch.setattr(key_archive, "OPSLIMIT", argon2id.OPSLIMIT_INTERACTIVE)
    monkeypatch.setattr(key_archive, "MEMLIMIT", argon2id.MEMLIMIT_INTERACTIVE)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    run(home, "init")
    run(home, "deploy")  # the regulator comes with genesis
    run(home, "participants", "register", "bank-a")  # opens the platform: the database and its fingerprints
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
    assert run(home, "sanctions", "show", code).startswith("listed\n")


def test_the_database_holds_fingerprints_never_keys(home: Path) -> None:
    engine = sa.create_engine(Settings.build(home, None).db_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT name, fingerprint FROM key_fingerprints")).all())
    engine.dispose()
    keys = {p.name: bytes.fromhex(p.read_text()) for p in (home / "secrets").iterdir()}
    assert rows == {name: fingerprint(name, key) for name, key in keys.items()}
    assert all(len(rows[name]) == 16 and rows[name] not in key.hex() for name, key in keys.items())


def keys_of(home: Path) -> dict[str, bytes]:
    return {p.relative_to(home).as_posix(): p.read_bytes() for p in sorted(home.glob("[ks]e*/*")) if p.is_file()}


def test_backup_delete_restore_brings_back_the_same_pseudonyms(home: Path, tmp_path: Path) -> None:
    code, archive = demo_enterprise_code(), tmp_path / "keys.backup"
    added = run(home, "sanctions", "add", code, "--reason", "false tax data")
    before = keys_of(home)
    assert f"backed up {len(before)} key files" in run(home, "keys", "backup", str(archive))
    sealed = archive.read_bytes()
    assert mode(archive) == 0o600 and sealed.startswith(b"credtrace-keys-v1\n")
    secret = [data.strip() for name, data in before.items() if name.startswith("secrets/")]
    assert b"account_key" not in sealed and b"operator" not in sealed and not [k for k in secret if k in sealed]
    shutil.rmtree(home / "keys")
    shutil.rmtree(home / "secrets")
    assert "no key named 'operator'" in run(home, "sanctions", "show", code, ok=False)
    out = run(home, "keys", "restore", str(archive))
    assert out.count("restored ") == len(before) == 18 and "restored secrets/pseudonym.key" in out
    assert keys_of(home) == before and {mode(home / name) for name in before} == {0o600}
    assert mode(home / "keys") == mode(home / "secrets") == 0o700
    assert run(home, "sanctions", "show", code).startswith("listed\n")
    lifted = run(home, "sanctions", "lift", code, "--reason", "cleared")
    assert lifted.split("(pseudonym ")[1] == added.split("(pseudonym ")[1]


def test_the_passphrase_is_asked_twice_without_echo_when_not_in_the_environment(home: Path, tmp_path: Path) -> None:
    archive = tmp_path / "keys.backup"
    typed = "s3cret pass\nother\ns3cret pass\ns3cret pass\n"  # a mismatch, then asked again
    out = run(home, "keys", "backup", str(archive), passphrase=None, given=typed)
    assert "do not match" in out and "s3cret" not in out and archive.exists()
    (home / "secrets" / "catalogue.key").unlink()
    assert "restored secrets/catalogue.key" in run(home, "keys", "restore", str(archive), passphrase=None,
                                                   given="s3cret pass\n")


def test_a_wrong_passphrase_or_a_changed_archive_restores_nothing(home: Path, tmp_path: Path) -> None:
    archive = tmp_path / "keys.backup"
    run(home, "keys", "backup", str(archive))
    shutil.rmtree(home / "secrets")
    out = run(home, "keys", "restore", str(archive), passphrase="wrong horse", ok=False)
    assert out == f"error: the passphrase does not open {archive} (or the archive was changed)\n"
    sealed = archive.read_bytes()
    archive.write_bytes(sealed.replace(b'"opslimit": 2', b'"opslimit": 3'))
    assert "the passphrase does not open" in run(home, "keys", "restore", str(archive), ok=False)
    archive.write_bytes(sealed.replace(b'"memlimit": 67108864', b'"memlimit": 1099511627776'))
    assert "has a damaged header: memlimit 1099511627776 out of range" in run(home, "keys", "restore", str(archive),
                                                                              ok=False)
    archive.write_bytes(key_archive.seal({"keys/../../evil.json": b"{}"}, PASSPHRASE))
    assert "holds paths that are not key files: keys/../../evil.json" in run(home, "keys", "restore", str(archive),
                                                                              ok=False)
    archive.write_bytes(b"PK\x03\x04")
    assert "is not a credtrace key archive" in run(home, "keys", "restore", str(archive), ok=False)
    assert not (home / "secrets").exists() and not (tmp_path / "evil.json").exists()


def test_restore_replaces_a_different_key_only_with_force(home: Path, tmp_path: Path) -> None:
    archive, ours = tmp_path / "keys.backup", home / "secrets" / "pseudonym.key"
    run(home, "keys", "backup", str(archive))
    kept = ours.read_bytes()
    run(tmp_path / "other", "init")
    shutil.copy(tmp_path / "other" / "secrets" / "pseudonym.key", ours)
    out = " ".join(run(home, "keys", "restore", str(archive), ok=False).split())
    assert "1 key file(s) under" in out
    assert "differ from the archive: secrets/pseudonym.key; nothing was restored (--force replaces them)" in out
    assert ours.read_bytes() != kept
    out = run(home, "keys", "restore", str(archive), "--force")
    assert "replaced secrets/pseudonym.key" in out and "kept     keys/operator.json" in out
    assert ours.read_bytes() == kept and mode(ours) == 0o600


def test_backup_refuses_a_home_without_its_catalogue_keys(home: Path, tmp_path: Path) -> None:
    (home / "secrets" / "pseudonym.key").unlink()
    assert "pseudonym.key is missing" in run(home, "keys", "backup", str(tmp_path / "keys.backup"), ok=False)
    assert not (tmp_path / "keys.backup").exists()
