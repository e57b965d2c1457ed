"""The HTTP tests' world and server: the oracle tests' small world (keys, catalogue, an approved model,
enterprise-1's consent to bank-a), copied per module, served by the real ``credtrace serve`` in its
own process on a free port."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for folder in (HERE, HERE.parent.parent / "oracle"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture(scope="session")
def http_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from oracle_world import build

    home = tmp_path_factory.mktemp("http") / "home"
    build(home)
    return home


@pytest.fixture(scope="module")
def served(http_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, home) of a running server over a copy of the world, for one test module."""
    from oracle_world import copy
    from server import serving

    home = copy(http_base, tmp_path_factory.mktemp("served") / "home")
    with serving(home) as url:
        yield url, home
