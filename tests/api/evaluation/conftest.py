"""A deployed world for the evaluation's tests: ``credtrace demo`` on a temporary home (built once per
session, ~40 s; CI=true so its last step only prints), and a copy of it whose journal splits its blocks and
log events into two "months", as ``credtrace pilot run`` would have journaled them. Only the journal is
written here; everything else the demo made through the platform's real paths."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.node import opened
from api.pilot.journal import Journal, Params, Step
from api.settings import Settings
from ledger.migrations import open_engine

if str(Path(__file__).parent) not in sys.path:  # evaluation_world, the tests' own reading of the chain
    sys.path.insert(0, str(Path(__file__).parent))
from evaluation_world import first_applied


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("evaluation-demo") / "home"
    result = CliRunner().invoke(app, ["--home", str(home), "demo", "tour"], env={"CI": "true", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture(scope="session")
def journaled_home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's home with two months journaled: 2024-01 from block ``A // 2`` (log event 10) to the block
    before the first application ``A`` (log event ``L``, the first ACCESS), 2024-02 from ``A`` to the head."""
    home = Path(shutil.copytree(demo_home, tmp_path_factory.mktemp("evaluation-journal") / "home"))
    settings = Settings.build(home, None)
    with opened(settings) as chain:
        head = int(chain.web3.eth.block_number)
        first = first_applied(chain, settings)
    engine = open_engine(settings.db_url)
    with engine.connect() as db:
        access = int(db.exec_driver_sql("SELECT min(idx) FROM log_events WHERE body LIKE '%\"ACCESS\"%'").scalar())
        size = int(db.exec_driver_sql("SELECT count(*) FROM log_events").scalar())
    journal = Journal(engine)
    journal.begin(Params(enterprises=300, months=2, banks=2, seed=1), resume=False)
    journal.record(Step("2024-01", "ingestion", first // 2, first - 1, 10, access, 1, 0.1))
    journal.record(Step("2024-02", "applications", first, head, access, size, 1, 0.1))
    engine.dispose()
    return home
