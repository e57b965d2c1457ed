"""The committed fixture artifacts are what the pinned compiler makes of the sources."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOLCJS = FIXTURES.parents[2] / "tools" / "node_modules" / ".bin" / "solcjs"


@pytest.mark.slow
@pytest.mark.skipif(not SOLCJS.exists(), reason="pinned solcjs not installed (make tools)")
def test_artifacts_match_sources() -> None:
    spec = importlib.util.spec_from_file_location("fixture_build", FIXTURES / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for file_name, artifact in build.compile_all(str(SOLCJS)).items():
        assert json.loads((FIXTURES / file_name).read_text()) == artifact, file_name
