"""The oracle tests' shared world (``oracle_world``) is importable by name, like the ledger's helpers; ``home``
is a copy of it for one test, built once a worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from oracle_world import build

    home = tmp_path_factory.mktemp("oracle") / "home"
    build(home)
    return home


@pytest.fixture
def home(base: Path, tmp_path: Path) -> Path:
    from oracle_world import copy

    return copy(base, tmp_path / "home")
