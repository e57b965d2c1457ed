"""Committed artifacts are exactly what the pinned compiler makes of the sources."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.chain import artifact
from ledger.errors import ArtifactError

ROOT = Path(__file__).resolve().parents[3]
COMPILE = ROOT / "scripts" / "compile_contracts.py"


def check(contracts_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(COMPILE), "--check", "--contracts-dir", str(contracts_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_artifacts_match_a_fresh_compile() -> None:
    done = check(ROOT / "contracts")
    assert done.returncode == 0, done.stderr


def test_one_changed_character_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", copy)
    source = copy / "ParticipantRegistry.sol"
    text = source.read_text()
    source.write_text(text.replace("who may act", "who may acT", 1))
    done = check(copy)
    assert done.returncode == 1
    assert "ParticipantRegistry.json: sourceSha256 differs from ParticipantRegistry.sol" in done.stderr


def test_compiler_is_the_pinned_one() -> None:
    pinned = json.loads((ROOT / "tools" / "package.json").read_text())["dependencies"]["solc"]
    for name in artifact.names():
        assert artifact.load(name).compiler_version.startswith(pinned + "+commit.")


def test_runtime_code_hash_is_keccak_of_deployed_bytecode() -> None:
    reg = artifact.load("ParticipantRegistry")
    assert reg.deployed_bytecode and reg.bytecode.startswith(b"\x60\x80")
    assert len(reg.code_hash) == 32 and len(reg.sha256) == 64


def test_unknown_artifact_is_a_clear_error() -> None:
    with pytest.raises(ArtifactError, match="no artifact for contract 'Nope'"):
        artifact.load("Nope")
