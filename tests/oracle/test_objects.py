"""`credtrace objects` (issue 16): model artifacts, feature vectors and decision records fetched by the
SHA-256 of their bytes, from the one copy the platform keeps (the model files and the oracle's tables)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from oracle_world import apply, build, copy, grant, model_folder, run
from typer.testing import CliRunner

from api.cli import app
from oracle import record


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("objects") / "home"
    build(home)
    apply(home, grant(home))
    run(home, "oracle", "run", "--once")
    return home


@pytest.fixture
def home(decided: Path, tmp_path: Path) -> Path:
    return copy(decided, tmp_path / "home")


def test_every_object_is_exported_under_its_sha256_and_fetched_back_by_it(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "objects"
    assert "wrote 3 objects" in run(home, "objects", "export", str(out))
    files = {f.name: f.read_bytes() for f in out.iterdir()}
    assert all(hashlib.sha256(data).hexdigest() == name for name, data in files.items())
    model = hashlib.sha256((model_folder(home) / "model.json").read_bytes()).hexdigest()
    [signed] = [data for data in files.values() if data.startswith(b'{"payload"')]
    vector = record.opened(signed)["predicate"]["featureVectorHash"].removeprefix("0x")
    assert {model, vector, hashlib.sha256(signed).hexdigest()} == set(files)
    for name, data in files.items():
        fetched = tmp_path / "fetched"
        run(home, "objects", "get", name, "--out", str(fetched))
        assert fetched.read_bytes() == data
    shown = CliRunner().invoke(app, ["--home", str(home), "objects", "get", vector])
    assert shown.exit_code == 0 and shown.stdout_bytes == files[vector]
    assert json.loads(files[vector])  # a feature vector is RFC 8785 JSON


def test_an_edited_object_is_refused_and_an_unknown_hash_is_named(home: Path, tmp_path: Path) -> None:
    run(home, "objects", "export", str(tmp_path / "before"))
    path = model_folder(home) / "model.json"
    model = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(path.read_bytes().replace(b"}", b" }", 1))  # the artifact edited in its folder
    out = run(home, "objects", "export", str(tmp_path / "objects"), ok=False)
    assert "not the model id its folder names" in out and not (tmp_path / "objects").exists()
    assert "not the model id its folder names" in run(home, "objects", "get", model, ok=False)
    for other in (f for f in (tmp_path / "before").iterdir() if f.name != model):  # the rest still fetched
        run(home, "objects", "get", other.name, "--out", str(tmp_path / "fetched"))
        assert (tmp_path / "fetched").read_bytes() == other.read_bytes()
    assert "no model artifact, feature vector or decision record" in run(home, "objects", "get", "0" * 64, ok=False)
    assert "is not a SHA-256" in run(home, "objects", "get", "abc", ok=False)
