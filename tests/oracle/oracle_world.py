"""A small world for the oracle's CLI tests on the embedded devnet: the demo keys, enterprise-1's tax,
social security and registration data in the catalogue, a small approved model with the default policy
under HOME/models, and enterprise-1's consent to bank-a for ``credit-assessment``. Built once per
session and copied for each test (the devnet, the keys and the database are files in the home)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings

DATASETS = ("tax", "social_security", "registration")
CATEGORIES = ("tax", "social_security", "market_supervision")


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    assert "Traceback" not in result.output
    if not ok:
        assert result.output.count("error:") == 1, result.output
    return result.output


def credtrace(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process (the crash tests kill it)."""
    command = [str(Path(sys.executable).parent / "credtrace"), "--home", str(home), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def build(home: Path) -> None:
    from api.cli.context import opened
    from api.cli.demo_data import demo_pilot, provider_of
    from api.cli.model import ids
    from api.platform import opened_platform
    from ledger.catalogue.ingest import ingest
    from ledger.chain import KeyStore
    from scoring import artifact
    from scoring.policy import DEFAULT_POLICY
    from scoring.trainer import train
    from simulation.pilot import generate
    from simulation.training import build as training_table

    providers = sorted({provider_of(d) for d in DATASETS})
    run(home, "init")
    run(home, "deploy")
    run(home, "participants", "register", "bank-a", "bank-b", "oracle", "enterprise-1", *providers)
    settings = Settings.build(home, None)
    store = KeyStore(settings.keys_dir)
    code = store.load("enterprise-1").credit_code
    pilot = demo_pilot()
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        for dataset in DATASETS:
            rows = [r for r in pilot.records[dataset] if r["credit_code"] == code]
            ingest(p.ingestion, dataset, rows, store.load(provider_of(dataset)).address)
    table = training_table(generate(n_enterprises=600, seed=7))  # type: ignore[arg-type]
    doc, report = train(table.to_dataset(), oot_mask=table.oot_mask("2024-10"), descriptions=table.descriptions,
                        policy=DEFAULT_POLICY)
    folder = home / "models" / report["model_id"][:16]
    folder.mkdir(parents=True)
    artifact.write(doc, folder / "model.json")
    (folder / "report.json").write_text(json.dumps(report))
    run(home, "model", "register", str(folder))
    run(home, "model", "approve", ids(folder)[0])


def copy(base: Path, to: Path) -> Path:
    shutil.copytree(base, to)
    return to


def model_folder(home: Path) -> Path:
    return next((home / "models").glob("*/"))


def grant(home: Path, bank: str = "bank-a") -> str:
    args = [a for c in CATEGORIES for a in ("--category", c)]
    return run(home, "consent", "grant", *args, "--purpose", "credit-assessment", "--bank", bank).strip()


def apply(home: Path, consent: str, amount: str = "500,000", bank: str = "bank-a") -> int:
    from ledger.chain import KeyStore

    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    return int(run(home, "loan", "apply", "--enterprise", code, "--consent", consent, "--amount", amount,
                   "--term", "12", "--product", "SME-CREDIT-1Y", "--as", bank).strip())


def query(home: Path, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(Settings.build(home, None).db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def log_events(home: Path) -> list[tuple[int, dict[str, Any]]]:
    return [(int(i), json.loads(b)) for i, b in query(home, "SELECT idx, body FROM log_events ORDER BY idx")]


def loan(home: Path, application_id: int) -> Any:
    return json.loads(run(home, "loan", "show", str(application_id), "--json"))
