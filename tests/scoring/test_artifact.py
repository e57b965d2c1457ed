"""The artifact: identical bytes, monotone scores, honest reasons, plain JSON only."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import artifact, calibration, scorecard
from scoring.dataset import Dataset, synthetic
from scoring.errors import ArtifactError, ScoringInputError
from scoring.trainer import train

DESCRIPTIONS = {"penalties": "Administrative penalties in the last 12 months"}


@pytest.fixture(scope="module")
def trained() -> tuple[Dataset, dict[str, Any]]:
    data = synthetic(6000, seed=5)
    doc, _ = train(data, descriptions=DESCRIPTIONS)
    return data, doc


def row(data: Dataset, i: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, column in data.columns.items():
        value = column[i]
        out[name] = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    return out


def test_same_vector_same_bytes_even_after_a_round_trip(trained: tuple[Dataset, dict[str, Any]]) -> None:
    data, doc = trained
    reloaded = json.loads(artifact.canonical(doc))
    for i in range(0, 50, 7):
        first = artifact.score_bytes(doc, row(data, i))
        assert first == artifact.score_bytes(reloaded, row(data, i)) == artifact.score_bytes(doc, row(data, i))
        assert json.loads(first)["score"] == artifact.score(doc, row(data, i)).score
    assert artifact.model_id(doc) == artifact.model_id(reloaded)


def test_points_sum_to_the_score_and_match_the_vectorised_path(trained: tuple[Dataset, dict[str, Any]]) -> None:
    data, doc = trained
    model = artifact.load(doc)
    fast = scorecard.scores(model.scorecard, data.columns)
    for i in range(0, data.rows, 97):
        scored = artifact.score(model, row(data, i))
        assert scored.score == fast[i]
        assert round(sum(scored.points.values()), 2) == scored.score
        assert abs(scored.pd - calibration.pds(model.calibration, fast[i : i + 1])[0]) <= 1.5e-6


def test_score_is_monotone_in_every_declared_feature(trained: tuple[Dataset, dict[str, Any]]) -> None:
    data, doc = trained
    model = artifact.load(doc)
    monotone = {f.name: f.binning.monotone for f in model.scorecard.features if f.binning.monotone}
    assert set(monotone) >= {"growth", "employees"}  # the test has something to check

    @settings(max_examples=150, deadline=None)
    @given(st.integers(0, data.rows - 1), st.sampled_from(sorted(monotone)),
           st.floats(allow_nan=False), st.floats(allow_nan=False))
    def check(i: int, name: str, a: float, b: float) -> None:
        lo, hi = sorted((a, b))
        base = row(data, i)
        low, high = artifact.score(model, {**base, name: lo}).score, artifact.score(model, {**base, name: hi}).score
        assert (high - low) * monotone[name] >= 0

    check()


def test_every_reason_cited_lowered_the_score_against_the_reference(trained: tuple[Dataset, dict[str, Any]]) -> None:
    """The reference is the development population's average points on the feature; a reason is
    cited only when the applicant's points fell strictly below it, the largest shortfall first."""
    data, doc = trained
    model = artifact.load(doc)
    reference = {f.name: f.reference for f in model.scorecard.features}
    average = {f.name: float(np.mean(scorecard.centipoint_matrix(model.scorecard, data.columns)[:, j])) / 100
               for j, f in enumerate(model.scorecard.features)}
    assert all(abs(reference[n] - average[n]) <= 0.005 for n in reference)
    feature_of = {r.code: r.feature for r in model.reasons}

    @settings(max_examples=150, deadline=None)
    @given(st.integers(0, data.rows - 1), st.sets(st.sampled_from(data.names)), st.sets(st.sampled_from(data.names)))
    def check(i: int, blank: set[str], unseen: set[str]) -> None:
        vector = {k: (None if k in blank else v) for k, v in row(data, i).items()}
        vector |= {k: "never seen" for k in unseen if data.kinds[k] == "categorical"}
        scored = artifact.score(model, vector)
        shortfalls = [reference[feature_of[code]] - scored.points[feature_of[code]] for code, _ in scored.reasons]
        assert len(scored.reasons) <= 4
        assert all(s > 0 for s in shortfalls) and shortfalls == sorted(shortfalls, reverse=True)
        listed = {feature_of[code] for code, _ in scored.reasons}
        unlisted = [reference[n] - p for n, p in scored.points.items() if n not in listed]
        assert len(scored.reasons) == 4 or all(s <= 0 for s in unlisted)
        assert all(s <= min(shortfalls) for s in unlisted if s > 0)
        for code, text in scored.reasons:
            name = feature_of[code]
            assert text == model.texts[name][[b.label for b in next(
                f for f in model.scorecard.features if f.name == name).binning.bins].index(scored.bins[name])]

    check()


def test_reason_texts_name_the_value(trained: tuple[Dataset, dict[str, Any]]) -> None:
    _, doc = trained
    texts = {f["name"]: [b["reason"] for b in f["bins"]] for f in doc["features"]}
    labels = {f["name"]: [b["label"] for b in f["bins"]] for f in doc["features"]}
    assert texts["growth"][0] == f"growth below {labels['growth'][0].split(', ')[1].rstrip(')')}"
    assert texts["growth"][-1] == "growth: not given" and texts["industry"][0] == "industry: A"
    assert texts["penalties"][-1] == f"{DESCRIPTIONS['penalties']} (penalties: not given)"
    assert texts["growth"][1].startswith("growth from ") and " to under " in texts["growth"][1]


def test_reason_codes_are_stable_and_use_the_descriptions(trained: tuple[Dataset, dict[str, Any]]) -> None:
    _, doc = trained
    table = doc["reason_codes"]
    assert [r["feature"] for r in table] == sorted(r["feature"] for r in table)
    assert [r["code"] for r in table] == [f"R{i:02d}" for i in range(1, len(table) + 1)]
    texts = {r["feature"]: r["text"] for r in table}
    assert texts["penalties"] == DESCRIPTIONS["penalties"]
    assert texts["growth"] == "Value of growth lowered the score"


def test_the_artifact_is_plain_json_without_pickles_or_blobs(trained: tuple[Dataset, dict[str, Any]]) -> None:
    _, doc = trained
    raw = artifact.canonical(doc)
    raw.decode("utf-8")  # text, not a binary
    assert b"\x80" not in raw and b"pickle" not in raw.lower()

    def walk(value: Any) -> None:
        assert value is None or isinstance(value, str | int | float | bool | list | dict)
        if isinstance(value, str):
            assert len(value) < 300  # no encoded blobs
        for child in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            walk(child)

    walk(json.loads(raw))
    assert doc["policy"] is None
    assert {"python", "numpy", "scikit-learn"} <= set(doc["libraries"])


def test_bad_inputs_and_bad_artifacts_are_refused(trained: tuple[Dataset, dict[str, Any]]) -> None:
    data, doc = trained
    vector = row(data, 0)
    with pytest.raises(ScoringInputError, match="no value for feature"):
        artifact.score(doc, {k: v for k, v in vector.items() if k != "growth"})
    with pytest.raises(ScoringInputError, match="not a number"):
        artifact.score(doc, {**vector, "growth": "lots"})
    with pytest.raises(ScoringInputError, match="categorical"):
        artifact.score(doc, {**vector, "industry": 3.0})
    assert artifact.score(doc, {**vector, "growth": "1.5"}) == artifact.score(doc, {**vector, "growth": 1.5})
    with pytest.raises(ArtifactError, match="unknown artifact format"):
        artifact.load({**doc, "format": "other/9"})
    with pytest.raises(ArtifactError, match="not canonical JSON"):
        artifact.canonical({**doc, "intercept": float("nan")})


def test_pd_is_decimal_exact_and_bounded() -> None:
    platt = calibration.Platt(a=0.1, b=0.9, factor=28.8539008178, offset=487.1228762044)
    assert calibration.pd(platt, 600.0) == calibration.pd(platt, 600.0)
    assert calibration.pd(platt, 1e9) == 0.000001 and calibration.pd(platt, -1e9) == 0.999999
    scores = np.linspace(300, 900, 301)
    exact = np.array([calibration.pd(platt, s) for s in scores])
    assert np.all(np.diff(exact) <= 0) and np.max(np.abs(exact - calibration.pds(platt, scores))) <= 1.5e-6


def test_points_tables_are_computed_once_per_model(
    trained: tuple[Dataset, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring used to recompute every feature's best points for every row."""
    data, doc = trained
    model = artifact.load(doc)
    calls = [0]
    real = artifact.centipoints

    def counted(points: float) -> int:
        calls[0] += 1
        return real(points)

    monkeypatch.setattr(artifact, "centipoints", counted)
    for i in range(200):
        artifact.score(model, row(data, i))
    assert calls[0] <= sum(len(f.points) + 1 for f in model.scorecard.features)
