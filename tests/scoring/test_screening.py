"""Which columns may be candidates: identifiers, leaks, protected names, exclusions; too little data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.binning import BinningRules
from scoring.dataset import Dataset, synthetic
from scoring.errors import TrainingError
from scoring.screening import ScreenRules, protected_word, screen
from scoring.trainer import train


def with_columns(base: Dataset, **extra: Any) -> Dataset:
    kinds = {n: "numeric" if np.asarray(v).dtype == np.float64 else "categorical" for n, v in extra.items()}
    return Dataset({**base.columns, **extra}, base.target, {**base.kinds, **kinds}, base.monotone)  # type: ignore[dict-item]


@pytest.fixture(scope="module")
def base() -> Dataset:
    return synthetic(2000, seed=4)


def test_sequential_ids_and_near_unique_text_are_dropped_and_reported(base: Dataset) -> None:
    names = np.array([f"Firm {i}" for i in range(base.rows)], dtype=object)
    data = with_columns(base, customer_no=np.arange(base.rows, dtype=np.float64) + 100_000, name=names)
    out = screen(data, ScreenRules(), BinningRules())
    assert out.dropped["customer_no"].startswith("identifier-like: 2000 distinct whole numbers")
    assert out.dropped["name"] == "identifier-like: 2000 distinct values in 2000 rows"
    assert {"tax_paid", "growth"} <= set(out.kept)  # continuous values are nearly unique too, but not in sequence
    assert set(out.iv) == set(out.auc) == set(out.kept)


def test_a_leaked_target_is_refused_unless_allowed(base: Dataset) -> None:
    leaked = with_columns(base, outcome_code=base.target.astype(np.float64) * 7)
    with pytest.raises(TrainingError, match=r"'outcome_code' \(AUC 1\.0000\) predict the target.*--allow-leak"):
        screen(leaked, ScreenRules(), BinningRules())
    out = screen(leaked, ScreenRules(allow_leak=True), BinningRules())
    assert "outcome_code" in out.kept and "--allow-leak" in out.warnings[0]


def test_protected_names_exclusions_and_declared_protected_columns(base: Dataset) -> None:
    filler = np.round(np.random.default_rng(1).normal(size=base.rows), 2)
    data = with_columns(base, personal_status_sex=filler, 年龄=filler, Gender=filler, agent_code=filler,
                        foreignWorker=filler, branch=filler)
    rules = ScreenRules(exclude=frozenset({"noise"}), protected=frozenset({"branch"}))
    out = screen(data, rules, BinningRules())
    assert out.dropped["noise"] == "excluded (--exclude)" and out.dropped["branch"] == "protected (--protected)"
    matches = [("personal_status_sex", "sex"), ("年龄", "年龄"), ("Gender", "gender"), ("foreignWorker", "foreign")]
    for name, word in matches:
        assert out.dropped[name] == f"protected: its name matches {word!r} (default list; --allow-protected to use it)"
    assert "agent_code" in out.kept
    allowed = screen(data, ScreenRules(allow_protected=True, protected=frozenset({"branch"})), BinningRules())
    assert "Gender" in allowed.kept and "branch" in allowed.dropped and len(allowed.warnings) == 4


@pytest.mark.parametrize(("name", "word"), [
    ("age", "age"), ("Age_in_years", "age"), ("applicant_ethnicity", "ethnic"), ("maritalStatus", "marital"),
    ("性别", "性别"), ("客户国籍", "国籍"), ("民族", "民族"), ("婚姻状况", "婚姻"), ("宗教信仰", "宗教"),
    ("date_of_birth", "birth"), ("religion", "religion"), ("nationality", "nationality"),
    ("agent", None), ("page_views", None), ("usage", None), ("trace_id", None), ("sales_level", None),
])
def test_the_default_protected_list(name: str, word: str | None) -> None:
    assert protected_word(name) == word


def test_too_little_data_is_refused_and_little_data_warned() -> None:
    tiny = synthetic(400, seed=2)
    tiny = tiny.subset(np.argsort(tiny.target, kind="stable")[-12:])  # 12 rows, most of them bad
    with pytest.raises(TrainingError, match=r"too little data: 5-fold cross-validation needs at least 20 goods"):
        train(tiny)
    _, report = train(synthetic(700, seed=2))
    assert any(w.startswith("little data:") for w in report["warnings"])


def test_the_report_gives_every_column_its_iv_and_fate(base: Dataset) -> None:
    data = with_columns(base, customer_no=np.arange(base.rows, dtype=np.float64), gender=base.columns["noise"])
    doc, report = train(data)
    fate = {c["name"]: c for c in report["features"]}
    assert set(fate) == set(data.names) and doc["training"]["candidates"] == report["features"]
    assert fate["customer_no"]["outcome"].startswith("identifier-like") and fate["gender"]["iv"] is None
    assert fate["growth"]["outcome"] == "selected" and fate["growth"]["iv"] > 0.1 and 0.5 < fate["growth"]["auc"] < 1
    assert {"customer_no", "gender"}.isdisjoint(f["name"] for f in doc["features"])


_TERMS = ["sex", "gender", "race", "ethnicity", "nationality", "marital", "religion", "age", "foreign", "性别",
          "国籍", "民族", "婚姻", "宗教", "年龄"]
_PROTECTED_NAMES = st.builds(
    lambda pre, term, post, upper: (pre + (term.upper() if upper else term) + post),
    st.sampled_from(["", "applicant_", "x_", "客户"]), st.sampled_from(_TERMS),
    st.sampled_from(["", "_code", "_status", "状况"]), st.booleans(),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_PROTECTED_NAMES, min_size=1, max_size=3, unique=True), source=st.sampled_from(["growth",
       "penalties", "industry"]), declared=st.booleans())
def test_no_protected_column_is_ever_in_a_model_trained_without_allow_protected(
    base: Dataset, names: list[str], source: str, declared: bool
) -> None:
    """Protected columns carry the strongest signal here (copies of a selected feature), so only the
    rule keeps them out; a declared --protected column stays out even with --allow-protected."""
    data = with_columns(base, **{n: base.columns[source] for n in names}, branch=base.columns["growth"])
    rules = ScreenRules(protected=frozenset({"branch"}) if declared else frozenset())
    doc, report = train(data, screen=rules)
    used = {f["name"] for f in doc["features"]}
    assert used.isdisjoint(names) and "branch" not in used if declared else used.isdisjoint(names)
    assert all(c["left_out"] and "protected" in c["outcome"] for c in report["features"] if c["name"] in names)


def test_the_report_page_shows_warnings_and_every_column(base: Dataset) -> None:
    from scoring import report_page

    data = with_columns(base, customer_no=np.arange(base.rows, dtype=np.float64), 性别=base.columns["growth"])
    doc, report = train(data.subset(np.arange(700)))
    page = report_page.render(report, doc)
    assert "<h2>Warnings</h2>" in page and "little data" in page and "AUC alone" in page
    assert "identifier-like" in page and "性别" in page and "protected: its name matches" in page


def test_a_misspelt_exclusion_is_an_error_not_a_silent_pass(base: Dataset) -> None:
    with pytest.raises(TrainingError, match=r"no feature column 'gendr' to exclude or protect \(columns: employees,"):
        screen(base, ScreenRules(protected=frozenset({"gendr"})), BinningRules())
