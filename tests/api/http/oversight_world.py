"""The world the overseers' HTTP tests share: the oracle world, plus an export of enterprise-1's data
by bank-a to bank-b (an OUTPUT event and the file, for the leak checks), an auditor and a second
regulator appointed (the second then suspended), a model registered but not yet approved, and the log
sealed and anchored. ``overseen`` serves it; ``twin`` is a copy taken before serving, on which the
same commands run locally to compare with their ``--api`` output."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from oracle_world import copy, grant, run
from server import serving

from api.settings import Settings
from ledger.chain import Identity, KeyStore
from ledger.types import Role


@dataclass(frozen=True)
class Overseen:
    url: str
    home: Path
    twin: Path
    leaked: Path
    model_id: str

    def key(self, name: str) -> Identity:
        return KeyStore(self.home / "keys").load(name)

    def code(self) -> str:
        found = self.key("enterprise-1").credit_code
        assert found is not None
        return found


def prepare(home: Path) -> tuple[Path, str]:
    code = KeyStore(home / "keys").load("enterprise-1").credit_code
    assert code is not None
    leaked = home.parent / "leaked.json"
    run(home, "data", "export", "--enterprise", code, "--consent", grant(home), "--to", "bank-b", "--out", str(leaked))
    run(home, "participants", "appoint", "auditor")
    KeyStore(home / "keys").create("regulator-2", Role.REGULATOR, "Second Regulator (test)")
    run(home, "participants", "appoint", "regulator-2")
    run(home, "participants", "suspend", "regulator-2", "--reason", "KEY_COMPROMISE")
    model_id = _register_model(home)
    anchor(home)
    return leaked, model_id


def _register_model(home: Path) -> str:
    """A registered model awaiting approval: its id is all the ModelRegistry holds."""
    folder = home.parent / "pending-model"
    folder.mkdir()
    model = json.dumps({"pending": "a model to approve"}).encode()
    (folder / "model.json").write_bytes(model)
    model_id = hashlib.sha256(model).hexdigest()
    (folder / "report.json").write_text(json.dumps({"model_id": model_id}))
    run(home, "model", "register", str(folder))
    return model_id


def anchor(home: Path) -> None:
    from api.node import opened
    from api.platform import opened_platform

    settings = Settings.build(home, None)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        p.seal_and_anchor()


@pytest.fixture(scope="module")
def overseen(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Overseen]:
    root = tmp_path_factory.mktemp("overseen")
    home = copy(http_base, root / "served" / "home")
    leaked, model_id = prepare(home)
    twin = Path(shutil.copytree(home.parent, root / "twin")) / "home"
    with serving(home) as url:
        yield Overseen(url, home, twin, leaked, model_id)
