"""Everything the platform creates under its home is the owner's alone (issue 12): files 0600,
folders 0700, whatever the user's umask — the SQLite database was 0644."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from ledger.migrations import open_engine


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(home: Path) -> dict[str, str]:
    """Path → octal mode of the home and of everything under it."""
    found = {".": oct(stat.S_IMODE(home.stat().st_mode))}
    for path in home.rglob("*"):
        found[path.relative_to(home).as_posix()] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def test_a_demo_home_holds_nothing_another_user_can_read(tmp_path: Path, usual_umask: None) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["--home", str(home), "demo", "tour"])
    assert result.exit_code == 0, result.output
    found = modes(home)
    assert {"credtrace.sqlite", "deployment.json", "secrets/catalogue.key", "devnet"} <= set(found)
    assert {p: m for p, m in found.items() if m != (oct(0o700) if (home / p).is_dir() else oct(0o600))} == {}
    assert os.umask(0o022) == 0o022  # the command gave the umask back


def test_a_database_file_is_private_from_the_start_and_an_old_one_is_made_so(tmp_path: Path,
                                                                             usual_umask: None) -> None:
    fresh, old = tmp_path / "fresh.sqlite", tmp_path / "old.sqlite"
    old.touch(mode=0o644)
    for path in (fresh, old):
        open_engine(f"sqlite:///{path}").dispose()
        assert {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in tmp_path.glob(f"{path.name}*")} == {
            p.name: oct(0o600) for p in tmp_path.glob(f"{path.name}*")}
