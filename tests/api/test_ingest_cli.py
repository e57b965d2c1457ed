"""`credtrace data ingest` against hostile files and a failing chain (issue 12, medium and low): a
100 MB-class file of bad rows streams in bounded memory with capped rejections, absurd input is
one `error:` line (never a traceback), rejection reasons never repeat a value, the platform stamps
arrival, and a batch stored but not anchored says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from ledger.catalogue.ingest import EXAMPLES
from ledger.chain import KeyStore
from ledger.contracts import ProvenanceLog
from ledger.errors import LedgerError

CODE = "91350100M000100Y43"
WRONG_CHECK = CODE[:17] + "X"
Cli = Callable[..., str]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("ingest") / "home"
    for args in (["init"], ["deploy"], ["participants", "register", "tax-bureau", "social-security", "bank-a"]):
        result = CliRunner().invoke(app, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def cli(home: Path) -> Cli:
    def run(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
        assert (result.exit_code == 0) == ok, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.output

    return run


def query(home: Path, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(Settings.build(home, None).db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def peak_rss_kib(home: Path, *args: str) -> tuple[int, str]:
    """(peak resident memory of one `credtrace` run, its output), measured in a wrapper process."""
    wrapper = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(done.stdout + done.stderr)")
    credtrace = Path(sys.executable).with_name("credtrace")
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-c", wrapper, str(credtrace), "--home", str(home), *args],
                          capture_output=True, text=True, timeout=600, env=env)
    rss, _, output = done.stdout.partition("\n")
    return int(rss), output


@pytest.mark.slow
def test_a_big_file_of_bad_rows_streams_with_capped_rejections(home: Path, tmp_path: Path) -> None:
    header = "credit_code,period,invoiced_sales,tax_paid"
    small = write(tmp_path / "small.csv", [header, f"{WRONG_CHECK},2026-01,1,1"])
    big = write(tmp_path / "big.csv", [header] + [f"{WRONG_CHECK},2026-01,{i},x" for i in range(250_000)])
    assert big.stat().st_size > 8_000_000
    small_rss, _ = peak_rss_kib(home, "data", "ingest", "tax", str(small), "--as", "tax-bureau")
    big_rss, out = peak_rss_kib(home, "data", "ingest", "tax", str(big), "--as", "tax-bureau")
    assert "tax: 250000 rows, 0 stored, 250000 rejected" in out, out
    assert big_rss - small_rss < 60_000, (small_rss, big_rss)  # KiB: the file is never held whole
    assert len(out.splitlines()) < 30
    assert "250000 rows: bad credit code in 'credit_code'" in out and "250000 rows: wrong type for 'tax_paid'" in out
    [(batch,)] = query(home, "SELECT batch_id FROM catalogue_batches WHERE rows_total = 250000")
    assert query(home, f"SELECT count(*) FROM catalogue_rejections WHERE batch_id = '{batch}'") == [(EXAMPLES,)]
    counts = dict(query(home, f"SELECT reason, rows FROM catalogue_rejection_counts WHERE batch_id = '{batch}'"))
    assert counts == {"bad credit code in 'credit_code'": 250_000, "wrong type for 'tax_paid'": 250_000}


def test_rejection_reasons_never_repeat_a_value(home: Path, cli: Cli, tmp_path: Path) -> None:
    rows = [{"credit_code": WRONG_CHECK, "period": "2026-02", "invoiced_sales": "12345.5", "tax_paid": "lots"},
            {"credit_code": CODE, "period": "2026-02", "invoiced_sales": -98765.0, "tax_paid": 1.0}]
    out = cli("data", "ingest", "tax", str(write(tmp_path / "b.jsonl", [json.dumps(r) for r in rows])),
              "--as", "tax-bureau")
    assert "2 rows, 0 stored, 2 rejected" in out
    stored = " ".join(str(r) for r in query(home, "SELECT reason FROM catalogue_rejections"))
    for shown in (out, stored):
        assert CODE[:17] not in shown and "lots" not in shown and "98765" not in shown, shown
    assert "bad credit code in 'credit_code': the check character does not match" in out


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("extra.csv", "credit_code,period,invoiced_sales,tax_paid\n{code},2026-03,1,1,1\n",
     "row 1: has 5 cells, the header has 4"),
    ("digits.csv", "credit_code,period,insured_headcount\n{code},2026-03," + "9" * 5000 + "\n",
     "row 1: out of range for 'insured_headcount': beyond +/-(2^53 - 1) or over 40 digits"),
    ("beyond.jsonl", '{{"credit_code": "{code}", "period": "2026-03", "insured_headcount": 9007199254740993}}\n',
     "row 1: out of range for 'insured_headcount'"),
    ("digits.jsonl", '{{"credit_code": "{code}", "period": "2026-03", "insured_headcount": ' + "9" * 5000 + "}}\n",
     "error: line 1 is not JSON"),
    ("nan.jsonl", '{{"credit_code": "{code}", "period": "2026-03", "insured_headcount": NaN}}\n',
     "error: line 1 is not JSON: NaN is not a JSON value"),
    ("twice.jsonl", '{{"credit_code": "{code}", "period": "2026-03", "period": "2026-04", "insured_headcount": 1}}\n',
     "error: line 1 is not JSON: the key 'period' appears twice in one object"),
    ("huge.csv", "credit_code,period,insured_headcount\n{code},2026-03," + "x" * 140_000 + "\n",
     "error: line 2 is longer than 64 KiB"),
    ("header.csv", "credit_code,period,insured_headcount,salary\n{code},2026-03,1,1\n",
     "error: the header is not the social_security dataset's: unknown columns 'salary'"),
    ("wide.csv", ",".join(f"c{i}" for i in range(5000)) + "\n", "error: the header has 5000 columns"),
])
def test_absurd_input_is_one_error_line_or_a_rejected_row(cli: Cli, tmp_path: Path, name: str, content: str,
                                                           expected: str) -> None:
    dataset = "tax" if name == "extra.csv" else "social_security"
    who = "tax-bureau" if dataset == "tax" else "social-security"
    path = tmp_path / name
    path.write_text(content.format(code=CODE))
    out = cli("data", "ingest", dataset, str(path), "--as", who, ok=not expected.startswith("error:"))
    assert expected in out and "Traceback" not in out, out
    assert len(out.splitlines()) <= 4


def test_the_platform_stamps_arrival_and_keeps_the_claimed_time_beside_it(home: Path, cli: Cli,
                                                                          tmp_path: Path) -> None:
    batch = write(tmp_path / "t.csv", ["credit_code,period,invoiced_sales,tax_paid", f"{CODE},2026-05,1,1"])
    out = cli("data", "ingest", "tax", str(batch), "--as", "tax-bureau", "--claimed-at", "2026-06-01T00:00:00Z")
    assert "(claimed 2026-06-01T00:00:00" in out
    [(received, claimed)] = query(home, "SELECT received_at, claimed_at FROM catalogue_batches WHERE rows_stored = 1 "
                                        "AND claimed_at IS NOT NULL")
    arrived = datetime.fromisoformat(str(received))
    assert str(claimed).startswith("2026-06-01") and abs((datetime.now(UTC) - arrived).total_seconds()) < 600
    assert query(home, "SELECT first_arrival FROM catalogue_arrivals WHERE period = '2026-05'") == [(received,)]
    report = json.loads(cli("report", "departments", "--json"))
    expected = (datetime.now(UTC) - datetime(2026, 5, 31, 23, 59, 59, tzinfo=UTC)).days  # May to now, not 1 day
    assert next(r for r in report if r["department"] == "tax")["timeliness"] >= expected


def test_a_sender_refused_is_one_error_line_naming_the_denied_event(cli: Cli, tmp_path: Path) -> None:
    batch = write(tmp_path / "t.csv", ["credit_code,period,invoiced_sales,tax_paid", f"{CODE},2026-07,1,1"])
    out = cli("data", "ingest", "tax", str(batch), "--as", "bank-a", ok=False)
    assert out.startswith("error: ingestion refused: role BANK may not supply data")
    assert "(recorded as DENIED, event" in out
    out = cli("data", "ingest", "tax", str(batch), "--as", "social-security", ok=False)
    assert "not registered for the tax department" in out and len(out.splitlines()) <= 2


def test_a_batch_stored_but_not_anchored_says_so_and_the_next_command_anchors_it(
        home: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: object) -> None:
        raise LedgerError("the node did not answer")

    batch = write(tmp_path / "t.csv", ["credit_code,period,invoiced_sales,tax_paid", f"{CODE},2026-08,1,1"])
    with monkeypatch.context() as patched:
        patched.setattr(ProvenanceLog, "anchor", unreachable)  # the chain fails after the batch is stored
        out = cli("data", "ingest", "tax", str(batch), "--as", "tax-bureau", ok=False)
    assert "error: the batch is stored (1 rows) and recorded as INGEST event" in out
    assert "but not yet anchored on chain (the node did not answer)" in out and "anchors it" in out
    [(event, stored)] = query(home, "SELECT event_index, rows_stored FROM catalogue_batches "
                                    "ORDER BY received_at DESC LIMIT 1")
    assert stored == 1 and f"INGEST event {event}," in out
    assert query(home, "SELECT count(*) FROM log_checkpoints WHERE anchor_tx IS NULL") != [(0,)]
    again = write(tmp_path / "u.csv", ["credit_code,period,invoiced_sales,tax_paid", f"{CODE},2026-08,2,2"])
    assert "1 rejected" in cli("data", "ingest", "tax", str(again), "--as", "tax-bureau")  # a duplicate
    assert query(home, "SELECT count(*) FROM log_checkpoints WHERE anchor_tx IS NULL") == [(0,)]


def test_the_demo_providers_are_registered_for_their_departments(home: Path) -> None:
    from api.cli.demo_data import PROVIDERS, provider_of
    from ledger.catalogue.rights import department_org_id
    from ledger.catalogue.schema import SCHEMAS

    store = KeyStore(Settings.build(home, None).keys_dir)
    for dataset, schema in SCHEMAS.items():
        assert store.load(provider_of(dataset)).org_id == department_org_id(schema.department), dataset
    assert set(PROVIDERS) <= set(SCHEMAS)


def test_counts_by_reason_are_bounded_too(home: Path, cli: Cli, tmp_path: Path) -> None:
    """Each unexpected field name is a reason of its own: a file of made-up names cannot grow the
    counts without end (issue 12, bounded input)."""
    rows = [json.dumps({"credit_code": CODE, "period": "2026-04", "insured_headcount": 1, f"made_up_{i}": 1})
            for i in range(80)]
    out = cli("data", "ingest", "social_security", str(write(tmp_path / "m.jsonl", rows)), "--as", "social-security")
    assert "80 rows, 0 stored, 80 rejected" in out and "30 rows: other reasons" in out
    [(kinds,)] = query(home, "SELECT count(*) FROM catalogue_rejection_counts WHERE batch_id = "
                             "(SELECT batch_id FROM catalogue_batches WHERE rows_total = 80)")
    assert kinds == 51


def test_a_department_corrects_its_row_by_a_new_version_not_by_racing(home: Path, cli: Cli, tmp_path: Path) -> None:
    header = "credit_code,period,invoiced_sales,tax_paid"
    cli("data", "ingest", "tax", str(write(tmp_path / "a.csv", [header, f"{CODE},2026-09,10,1"])), "--as", "tax-bureau")
    fixed = write(tmp_path / "b.csv", [header, f"{CODE},2026-09,12,1.2"])
    assert "1 rejected" in cli("data", "ingest", "tax", str(fixed), "--as", "tax-bureau")  # a duplicate, as before
    out = cli("data", "correct", "tax", str(fixed), "--as", "tax-bureau")
    assert "tax: 1 rows, 1 stored, 0 rejected; TRANSFORM event" in out
    assert query(home, "SELECT version FROM catalogue_records WHERE period = '2026-09'") == [(2,)]
    assert query(home, "SELECT version FROM catalogue_record_versions WHERE period = '2026-09'") == [(1,)]
    out = cli("data", "correct", "tax", str(fixed), "--as", "tax-bureau", ok=False)
    assert "error: nothing was corrected: all 1 rows were rejected (row 1: unchanged" in out
