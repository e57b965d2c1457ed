"""Evaluation metrics against hand-computed values, and the page's charts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring import evaluation, report_page


def test_auc_gini_ks_brier_by_hand() -> None:
    y = np.array([0, 0, 1, 1], dtype=np.int8)
    risk = np.array([0.1, 0.4, 0.35, 0.8])
    assert evaluation.auc(y, risk) == 0.75  # 3 of the 4 (bad, good) pairs ranked right
    assert evaluation.roc(y, risk)["ks"] == 0.5
    assert math.isclose(evaluation.brier(y, risk), (0.01 + 0.16 + 0.4225 + 0.04) / 4)


def test_psi_is_zero_for_the_same_population_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    dev = rng.normal(600, 50, 20_000)
    assert evaluation.psi(dev, dev) == 0.0
    assert evaluation.psi(dev, rng.normal(600, 50, 20_000)) < 0.01
    assert evaluation.psi(dev, rng.normal(650, 50, 20_000)) > 0.25
    assert evaluation.psi_shares(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == pytest.approx(
        0.5 * math.log(1 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    )


def test_bands_cover_every_row_and_trade_approval_for_bad_rate() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(600, 50, 10_000).round(2)
    y = (rng.random(10_000) < 1 / (1 + np.exp((scores - 520) / 30))).astype(np.int8)
    bands = evaluation.bands(scores, y)
    assert len(bands) == 10 and sum(b["rows"] for b in bands) == 10_000
    assert bands[0]["approval_rate"] == 1.0 and bands[0]["approved_bad_rate"] == pytest.approx(y.mean(), abs=1e-6)
    rates = [b["bad_rate"] for b in bands]
    assert rates[0] > rates[-1]
    table = evaluation.calibration_table(np.clip((scores - 400) / 400, 0, 1), y)
    assert sum(r["rows"] for r in table) == 10_000


def test_charts_are_inline_svg() -> None:
    svg = report_page.roc_svg({"fpr": [0.0, 0.2, 1.0], "tpr": [0.0, 0.7, 1.0]})
    assert svg.startswith("<svg") and "<polyline" in svg
    assert "<circle" in report_page.calibration_svg([{"predicted": 0.1, "observed": 0.12}])
    assert "<rect" in report_page.histogram_svg({"edges": [0.0, 1.0, 2.0], "goods": [3, 4], "bads": [1, 0]})
