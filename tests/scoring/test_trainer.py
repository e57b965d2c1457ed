"""Training end to end: reproducible model ids, sane discrimination, the report, the file edges."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scoring import artifact, report_page
from scoring.dataset import Dataset, synthetic
from scoring.errors import DataError, ScoringInputError, TrainingError
from scoring.files import policy_decider, score_file, spreadsheet_safe, train_files
from scoring.trainer import policy_json, train

ROWS = 8000


@pytest.fixture(scope="module")
def data() -> Dataset:
    return synthetic(ROWS, seed=7)


@pytest.fixture(scope="module")
def trained(data: Dataset) -> tuple[dict[str, Any], dict[str, Any]]:
    return train(data, seed=7)


def test_training_twice_gives_the_same_model_id(data: Dataset, trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, report = trained
    again, _ = train(synthetic(ROWS, seed=7), seed=7)
    assert artifact.model_id(again) == artifact.model_id(doc) == report["model_id"]
    assert artifact.canonical(again) == artifact.canonical(doc)


def test_discrimination_is_sane_and_close_to_the_challenger(trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, report = trained
    assert report["cv_auc"] >= 0.7
    assert abs(report["cv_auc"] - report["challenger_cv_auc"]) <= 0.03
    assert len(report["cv_auc_folds"]) == len(report["challenger_cv_auc_folds"]) == 5
    assert math.isclose(report["gini"], 2 * report["auc"] - 1, abs_tol=2e-6)
    assert 0 < report["ks"] < 1 and 0 < report["brier"] < 0.2
    outcomes = {f["name"]: f["outcome"] for f in report["features"]}
    assert outcomes["noise"] != "selected" and outcomes["growth"] == "selected"


def test_calibration_is_close_on_average(trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, report = trained
    ev = report["evaluation"]
    assert abs(ev["mean_pd"] - ev["bad_rate"]) < 0.01
    for band in ev["calibration"]:
        assert abs(band["predicted"] - band["observed"]) < 0.06


def test_report_evaluation_and_page(trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, report = trained
    ev = report["evaluation"]
    assert ev["sample"] == "development" and ev["psi"] is None
    bands = ev["bands"]
    assert sum(b["rows"] for b in bands) == ROWS and bands[0]["approval_rate"] == 1.0
    assert [b["approval_rate"] for b in bands] == sorted((b["approval_rate"] for b in bands), reverse=True)
    assert {"champion_cv", "challenger_cv", "evaluation", "total"} <= set(report["timings"])
    page = report_page.render(report, doc)
    assert page.count("<svg") == 3 and "<script" not in page and report["model_id"] in page
    json.dumps(report, allow_nan=False)


def test_out_of_time_evaluation_reports_stability(data: Dataset) -> None:
    oot = np.arange(data.rows) >= data.rows * 3 // 4
    doc, report = train(data, oot_mask=oot, policy={"format": "any", "max_pd_approve": 0.1})
    ev = report["evaluation"]
    assert ev["sample"] == "out-of-time" and ev["rows"] == data.rows // 4
    assert doc["training"]["rows"] == data.rows - data.rows // 4
    assert 0 <= ev["psi"] < 0.1  # same population: stable
    assert set(ev["csi"]) == {f["name"] for f in doc["features"]}
    assert doc["policy"] == {"format": "any", "max_pd_approve": 0.1}


def test_training_refuses_a_single_class(data: Dataset) -> None:
    one_class = Dataset(data.columns, np.zeros(data.rows, dtype=np.int8), data.kinds)
    with pytest.raises(TrainingError, match="needs at least 20 goods and 20 bads"):
        train(one_class)


def write_csv(data: Dataset, path: Path, extra: dict[str, list[str]] | None = None) -> None:
    names = data.names
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", *names, "status", *(extra or {})])
        for i in range(data.rows):
            cells = [_cell(data.columns[n][i]) for n in names]
            status = "default" if data.target[i] else "paid"
            out.writerow([f"E{i}", *cells, status, *(v[i] for v in (extra or {}).values())])


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    return repr(float(value)) if isinstance(value, float) else str(value)


def test_train_files_and_score_file(tmp_path: Path) -> None:
    data = synthetic(3000, seed=11)
    write_csv(data, tmp_path / "book.csv", {"size": ["small"] * data.rows})
    report = train_files(tmp_path / "book.csv", "status", "default", tmp_path / "model", ignore=("id", "size"),
                         policy={"max_pd_approve": 0.1})
    model_bytes = (tmp_path / "model" / "model.json").read_bytes()
    assert artifact.model_id(json.loads(model_bytes)) == report["model_id"]
    assert "<svg" in (tmp_path / "model" / "report.html").read_text()
    assert json.loads((tmp_path / "model" / "report.json").read_text())["model_id"] == report["model_id"]

    def decide(policy: Any, pd: float, row: Any) -> dict[str, str]:
        return {"decision": "approve" if pd <= policy["max_pd_approve"] else "decline", "limit": row["size"]}

    rows = score_file(tmp_path / "model", tmp_path / "book.csv", tmp_path / "scored.csv", id_column="id", decide=decide)
    with (tmp_path / "scored.csv").open() as f:
        scored = list(csv.DictReader(f))
    assert rows.rows == len(scored) == data.rows and rows.encoding == "utf-8"
    assert list(scored[0])[:8] == ["row", "id", "score", "pd", "decision", "limit", "rate", "reason_1"]
    doc = json.loads(model_bytes)
    with (tmp_path / "book.csv").open() as f:
        first = next(csv.DictReader(f))
    expected = artifact.score(doc, first)
    assert scored[0]["score"] == f"{expected.score:.2f}" and scored[0]["id"] == "E0"
    assert scored[0]["decision"] == ("approve" if expected.pd <= 0.1 else "decline")
    assert scored[0]["reason_1"] == (expected.reasons[0][0] if expected.reasons else "")
    assert {r["limit"] for r in scored} == {"small"} and {r["rate"] for r in scored} == {""}


def test_the_product_policy_goes_in_as_json_and_decides_rows() -> None:
    from scoring.policy import DEFAULT_POLICY

    terms = policy_json(DEFAULT_POLICY)
    assert terms == DEFAULT_POLICY.as_json()
    decide = policy_decider("size")
    assert decide(terms, 0.005, {"size": "small"}) == {"decision": "approve", "limit": "3000000", "rate": "0.034000"}
    assert decide(terms, 0.5, {"size": "small"})["decision"] == "decline"
    with pytest.raises(TrainingError, match="mapping or have as_json"):
        policy_json(object())


def test_degenerate_columns_never_abort_training() -> None:
    """An all-missing column and a numeric column with a single value used to crash the challenger
    (scikit-learn's binning: "window shape cannot be larger than input array shape")."""
    base = synthetic(1500, seed=3)
    lone = np.full(base.rows, np.nan)
    lone[5] = 3.0
    columns = {**base.columns, "empty": np.full(base.rows, np.nan), "lone": lone}
    data = Dataset(columns, base.target, {**base.kinds, "empty": "numeric", "lone": "numeric"}, base.monotone)
    doc, report = train(data)
    assert report["challenger_cv_auc"] > 0.6 and report["challenger_notes"] == []
    assert {"empty", "lone"}.isdisjoint(f["name"] for f in doc["features"])


def test_a_challenger_that_cannot_fit_leaves_its_figures_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring import challenger

    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError("no luck")

    monkeypatch.setattr(challenger, "fit", broken)
    _, report = train(synthetic(1500, seed=3))
    assert report["challenger_cv_auc"] is None
    assert report["evaluation"]["champion_vs_challenger"]["challenger_auc"] is None
    assert report["challenger_notes"] == ["challenger not fitted: no luck"] and report["cv_auc"] > 0.6


def test_training_holds_native_thread_pools_to_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Oversubscribed OpenMP threads made the challenger ten times slower on a shared machine."""
    from threadpoolctl import threadpool_info

    from scoring import challenger

    seen: list[int] = []

    def spy(*_: Any, **__: Any) -> Any:
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        raise ValueError("spied")

    monkeypatch.setattr(challenger, "fit", spy)
    train(synthetic(600, seed=3))
    assert seen and set(seen) == {1}


def _scorable(tmp_path: Path, trained: tuple[dict[str, Any], dict[str, Any]], ids: list[str],
              growth: list[str]) -> tuple[Path, Path]:
    """A model folder and a CSV of len(ids) rows: each feature 1 (industry "A"), ``growth`` as given."""
    doc, _ = trained
    (tmp_path / "model").mkdir()
    artifact.write(doc, tmp_path / "model" / "model.json")
    names = [f["name"] for f in doc["features"]]
    with (tmp_path / "book.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", *names])
        for ident, g in zip(ids, growth, strict=True):
            writer.writerow([ident, *(g if n == "growth" else "A" if n == "industry" else "1" for n in names)])
    return tmp_path / "model", tmp_path / "book.csv"


def test_a_failing_row_leaves_no_half_scored_file(tmp_path: Path,
                                                  trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    model, book = _scorable(tmp_path, trained, ["a", "b", "c"], ["0.1", "0.2", "lots"])
    with pytest.raises(ScoringInputError, match="row 3"):
        score_file(model, book, tmp_path / "scored.csv", id_column="id")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.csv", "model"]


def test_a_row_with_a_stray_cell_is_refused_not_dropped(tmp_path: Path,
                                                        trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    model, book = _scorable(tmp_path, trained, ["a"], ["0.1"])
    book.write_text(book.read_text() + book.read_text().splitlines()[1] + ",extra\n")
    with pytest.raises(DataError, match="line 3 has"):
        score_file(model, book, tmp_path / "scored.csv")
    assert not (tmp_path / "scored.csv").exists()


def test_cells_a_spreadsheet_would_run_are_escaped_and_numbers_are_not(
        tmp_path: Path, trained: tuple[dict[str, Any], dict[str, Any]]) -> None:
    ids = ["=HYPERLINK(\"http://x\")", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "-1.5", "+7", "plain", "-inf"]
    model, book = _scorable(tmp_path, trained, ids, ["0.1"] * len(ids))
    score_file(model, book, tmp_path / "scored.csv", id_column="id")
    with (tmp_path / "scored.csv").open(newline="") as f:
        written = [row["id"] for row in csv.DictReader(f)]
    assert written == ["'=HYPERLINK(\"http://x\")", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "-1.5", "+7",
                       "plain", "'-inf"]
    assert [spreadsheet_safe(c) for c in ["-0.25", "-1e3", " -1", "-1_000"]] == ["-0.25", "-1e3", " -1", "'-1_000"]
