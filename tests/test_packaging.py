"""The wheel works on its own: built from a copy of this tree, installed into a fresh virtual
environment outside the repository, it runs ``init``, ``deploy`` and the data platform there.

The fresh environment gets the wheel alone; its third-party dependencies are borrowed from the
test environment through a ``.pth`` line added after the install (a ``.pth`` path is not a site
folder, so the test environment's editable hook for credtrace stays inert there). What is under
test is what the wheel carries: every package, the compiled contracts, the migrations, the entry
point. Every credtrace module must then load from the fresh environment, never from this tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "node_modules", ".credtrace", "__pycache__", "*.egg-info",
                                    "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")


def run(argv: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the fresh environment's bin folder, an environment for its commands)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CREDTRACE_HOME", "CREDTRACE_RPC")}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", source], tmp, env)
    (wheel,) = (tmp / "dist").glob("credtrace-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    run([*pip, "--python", venv / "bin" / "python", "install", "--no-deps", wheel], tmp, env)
    site = Path(run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    tmp, env).strip())
    (site / "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin", {**env, "CREDTRACE_HOME": str(tmp / "home")}


@pytest.mark.slow
def test_every_package_loads_from_the_installed_wheel(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_, env = installed
    probe = ("import importlib.util, json, pkgutil; import api, devnet, ledger, oracle, scoring, simulation\n"
             "mods = [m.name for p in (api, devnet, ledger, oracle, scoring, simulation)\n"
             "        for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]\n"
             "print(json.dumps({m: importlib.util.find_spec(m).origin for m in mods}))")
    files = json.loads(run([bin_ / "python", "-c", probe], tmp_path, env))
    assert {"ledger.chain.artifact", "ledger.catalogue.gate", "ledger.migrations", "simulation.pilot",
            "devnet.methods.state", "api.cli.data"} <= set(files)
    outside = {m: f for m, f in files.items() if not f.startswith(str(bin_.parent))}
    assert outside == {}, f"loaded from outside the fresh environment: {outside}"


@pytest.mark.slow
def test_the_installed_command_runs_the_data_platform(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_, env = installed
    assert "keys are in" in run([bin_ / "credtrace", "init"], tmp_path, env)
    assert "ParticipantRegistry" in run([bin_ / "credtrace", "deploy"], tmp_path, env)
    run([bin_ / "credtrace", "participants", "register", "tax-bureau"], tmp_path, env)
    pilot = tmp_path / "pilot"
    run([bin_ / "python", ROOT / "scripts" / "generate_pilot.py", "--enterprises", "20", "--months", "3",
         "--out", pilot], tmp_path, env)
    rows = len((pilot / "tax.csv").read_text().splitlines()) - 1
    ingested = run([bin_ / "credtrace", "data", "ingest", "tax", pilot / "tax.csv", "--as", "tax-bureau"],
                   tmp_path, env)
    assert f"{rows} rows, {rows} stored, 0 rejected" in ingested
    report = json.loads(run([bin_ / "credtrace", "report", "departments", "--json"], tmp_path, env))
    assert rows > 0 and {r["department"]: r["rows_stored"] for r in report}["tax"] == rows
