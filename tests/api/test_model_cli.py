"""`credtrace model`: train and score on an arbitrary CSV, then register and approve on chain."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from api.cli import app


def run(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def write_csv(path: Path, n: int, seed: int) -> None:
    """A generic book: numeric columns with missing values, a categorical one, a text target."""
    rng = np.random.default_rng(seed)
    health = rng.normal(size=n)
    rows = []
    for i in range(n):
        bad = rng.random() < 1 / (1 + np.exp(2.4 + 1.4 * health[i]))
        rows.append({
            "income": "" if rng.random() < 0.05 else f"{np.exp(10 + 0.5 * health[i] + rng.normal(0, .4)):.0f}",
            "late_payments": str(rng.poisson(np.exp(-0.8 * health[i]))),
            "region": rng.choice(["north", "south", "east", "west"]),
            "status": "default" if bad else "current",
        })
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_train_score_register_approve(tmp_path: Path) -> None:
    data, home, out = tmp_path / "book.csv", tmp_path / "home", tmp_path / "model"
    write_csv(data, 4000, seed=1)
    printed = run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
                  "--out", str(out))
    report = json.loads((out / "report.json").read_text())
    assert {"cv_auc", "challenger_cv_auc", "ks", "gini", "model_id"} <= set(report)
    assert report["cv_auc"] > 0.7 and report["model_id"] in printed
    assert hashlib.sha256((out / "model.json").read_bytes()).hexdigest() == report["model_id"]
    assert "<svg" in (out / "report.html").read_text()

    again = tmp_path / "again"
    run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
        "--out", str(again))
    assert (again / "model.json").read_bytes() == (out / "model.json").read_bytes()

    run(home, "model", "score", "--model", str(out), "--data", str(data), "--out", str(tmp_path / "a.csv"))
    run(home, "model", "score", "--model", str(out), "--data", str(data), "--out", str(tmp_path / "b.csv"))
    scored = (tmp_path / "a.csv").read_bytes()
    assert scored == (tmp_path / "b.csv").read_bytes()
    header = scored.decode().splitlines()[0].split(",")
    assert header[:3] == ["row", "score", "pd"] and "reason_1" in header

    out_bad = run(home, "model", "train", "--data", str(data), "--target", "status", "--out", str(tmp_path / "x"),
                  ok=False)
    assert "error:" in out_bad and "default" in out_bad  # a text target needs --bad-value

    run(home, "init")
    run(home, "deploy")
    assert "awaiting a regulator's approval" in run(home, "model", "register", str(out))
    assert "NotAuthorized" in run(home, "model", "approve", report["model_id"], "--as", "bank-a", ok=False)
    assert "approved" in run(home, "model", "approve", report["model_id"])
    assert "retired" in run(home, "model", "retire", report["model_id"], "--reason", "drift")


def test_reasons_come_with_plain_language_texts(tmp_path: Path) -> None:
    data, home, out = tmp_path / "book.csv", tmp_path / "home", tmp_path / "model"
    write_csv(data, 2500, seed=2)
    describe = tmp_path / "texts.json"
    describe.write_text(json.dumps({
        "income": "Yearly income",
        "region": {"name": "Region", "bins": {"north": "Lives in the north, where defaults run high"}},
    }), encoding="utf-8")
    run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
        "--out", str(out), "--describe", str(describe))
    doc = json.loads((out / "model.json").read_text())
    texts = {f["name"]: {b["label"]: b["reason"] for b in f["bins"]} for f in doc["features"]}
    assert texts["income"]["missing"] == "Yearly income: not given"
    assert any(t.startswith("Yearly income below ") for t in texts["income"].values())
    assert texts["late_payments"]["missing"] == "late_payments: not given"
    run(home, "model", "score", "--model", str(out), "--data", str(data), "--out", str(tmp_path / "s.csv"))
    with (tmp_path / "s.csv").open(encoding="utf-8") as fh:
        scored = list(csv.DictReader(fh))
    code_of = {r["feature"]: r["code"] for r in doc["reason_codes"]}
    feature_of = {v: k for k, v in code_of.items()}
    cited = [(r[f"reason_{i}"], r[f"reason_text_{i}"]) for r in scored for i in range(1, 5) if r[f"reason_{i}"]]
    assert cited and all(text in texts[feature_of[code]].values() for code, text in cited)
    bad = tmp_path / "bad.json"
    bad.write_text('{"income": 3}', encoding="utf-8")
    printed = run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
                  "--out", str(tmp_path / "x"), "--describe", str(bad), ok=False)
    assert "error: description of 'income'" in printed


def test_a_policy_given_at_training_decides_when_scoring(tmp_path: Path) -> None:
    data, home, out = tmp_path / "book.csv", tmp_path / "home", tmp_path / "model"
    write_csv(data, 2500, seed=3)
    with data.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with data.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*rows[0], "size"])
        writer.writeheader()
        writer.writerows({**r, "size": "small"} for r in rows)
    from scoring.policy import DEFAULT_POLICY

    policy = tmp_path / "policy.json"
    policy.write_text(DEFAULT_POLICY.to_json(), encoding="utf-8")
    printed = run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
                  "--out", str(out), "--policy", str(policy))
    assert "no out-of-time window: compare the cross-validated AUCs" in printed
    assert "development: AUC" not in printed and "size (a single value)" in printed
    assert json.loads((out / "model.json").read_text())["policy"] == DEFAULT_POLICY.as_json()
    run(home, "model", "score", "--model", str(out), "--data", str(data), "--out", str(tmp_path / "s.csv"))
    with (tmp_path / "s.csv").open(encoding="utf-8") as fh:
        scored = list(csv.DictReader(fh))
    assert {r["decision"] for r in scored} == {"approve", "decline"}
    assert all(r["limit"] == "0" for r in scored if r["decision"] == "decline") and all(r["rate"] for r in scored)
    policy.write_text('{"format": "nope"}', encoding="utf-8")
    failed = run(home, "model", "train", "--data", str(data), "--target", "status", "--bad-value", "default",
                 "--out", str(tmp_path / "x"), "--policy", str(policy), ok=False)
    assert "error:" in failed and "not a policy" in failed
