"""Binning: monotone WoE where declared, minimum shares, determinism, scalar = vectorised lookup."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import binning
from scoring.binning import BinningRules

RULES = BinningRules()


def column(seed: int, n: int = 3000, direction: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n) * rng.uniform(0.5, 50), int(rng.integers(0, 3)))
    wiggle = np.sin(3 * x / (np.std(x) + 1e-9))  # a non-monotone part the binning must pool away
    p = 1 / (1 + np.exp(2.2 + direction * x / (np.std(x) + 1e-9) - 0.8 * wiggle))
    y = (rng.random(n) < p).astype(np.int8)
    x[rng.random(n) < rng.uniform(0, 0.2)] = np.nan
    return x, y


def woes(fb: binning.FeatureBinning) -> list[float]:
    return [b.woe for b in fb.bins[: fb.missing]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1, -1]))
def test_declared_direction_gives_monotone_woe_and_bins_obey_the_rules(seed: int, direction: int) -> None:
    x, y = column(seed, direction=direction)
    fb = binning.fit("x", "numeric", x, y, direction, RULES)
    w = woes(fb)
    assert all(direction * (b - a) >= 0 for a, b in itertools.pairwise(w))
    assert len(w) <= RULES.max_bins
    if len(w) > 1:
        assert all(b.goods + b.bads >= RULES.min_share * len(y) for b in fb.bins[: fb.missing])
    assert list(fb.edges) == sorted(set(fb.edges))
    assert sum(b.goods + b.bads for b in fb.bins) == len(y)
    assert fb.bins[-1].goods + fb.bins[-1].bads == int(np.isnan(x).sum())


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.one_of(st.none(), st.floats(allow_nan=True)), min_size=1, max_size=30))
def test_scalar_lookup_matches_vectorised_lookup(seed: int, values: list[float | None]) -> None:
    x, y = column(seed)
    fb = binning.fit("x", "numeric", x, y, 0, RULES)
    probe = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    assert binning.indices(fb, probe).tolist() == [fb.index(v) for v in values]


def test_a_rare_but_strong_value_keeps_its_bin() -> None:
    rng = np.random.default_rng(3)
    cases = (rng.random(20_000) < 0.03).astype(np.float64)  # 3 % of firms with court cases
    y = (rng.random(20_000) < np.where(cases == 1, 0.3, 0.07)).astype(np.int8)
    fb = binning.fit("cases", "numeric", cases, y, -1, RULES)
    assert fb.edges == (1.0,) and fb.iv > 0.1 and fb.bins[1].woe < 0 < fb.bins[0].woe


def test_categories_rare_pooled_unseen_and_missing() -> None:
    values = np.array(["A"] * 500 + ["B"] * 480 + ["C"] * 10 + [None] * 10, dtype=object)
    y = np.array(([0, 1] * 500), dtype=np.int8)
    fb = binning.fit("industry", "categorical", values, y, 0, RULES)
    assert fb.categories == ("A", "B")
    assert [b.label for b in fb.bins] == ["A", "B", "other", "missing"]
    assert [fb.index(v) for v in ("A", "B", "C", "never seen", None, "NA")] == [0, 1, 2, 2, 3, 3]
    assert binning.indices(fb, np.array(["B", "Z", None], dtype=object)).tolist() == [1, 2, 3]


def test_woe_convention_and_empty_bins() -> None:
    assert binning.woe(0, 0, 900, 100) == 0.0
    assert math.isclose(binning.woe(90, 10, 900, 100), math.log(90.5 / 10.5) - math.log(9))
    assert binning.woe(100, 1, 900, 100) > 0 > binning.woe(10, 50, 900, 100)


def test_json_round_trip_and_determinism() -> None:
    x, y = column(11)
    first = binning.fit("x", "numeric", x, y, 1, RULES)
    assert binning.fit("x", "numeric", x.copy(), y.copy(), 1, RULES) == first
    doc = json.loads(json.dumps(binning.to_json(first)))
    assert binning.from_json(doc) == first


def test_an_unseen_value_never_scores_better_than_the_worst_bin() -> None:
    """The ``other`` bin used to get WoE 0 (average) when no training row fell in it: an unseen
    value could then beat every value actually seen."""
    column = np.array(["a"] * 50 + ["b"] * 50, dtype=object)
    y = np.array([0] * 45 + [1] * 5 + [0] * 30 + [1] * 20, dtype=np.int8)
    fitted = binning.fit("c", "categorical", column, y, 0, binning.BinningRules())
    worst = min(b.woe for b in fitted.bins if b.goods + b.bads)
    assert fitted.bins[fitted.index("never seen")].woe == worst
    numeric = binning.fit("n", "numeric", np.full(100, np.nan), y, 0, binning.BinningRules())
    assert numeric.bins[numeric.index("1,169")].woe <= min(b.woe for b in numeric.bins if b.goods + b.bads)


def test_categories_get_the_numeric_significance_test() -> None:
    """Random categories used to keep one bin each, earning IV from noise alone."""
    rng = np.random.default_rng(3)
    y = (rng.random(4000) < 0.1).astype(np.int8)
    noise = rng.choice(np.array(list("ABCDEFGH")), size=4000).astype(object)
    fitted = binning.fit("noise", "categorical", noise, y, 0, binning.BinningRules())
    assert len({b.woe for b in fitted.bins[:-2]}) == 1 and fitted.iv < 0.005
    telling = np.where(y == 1, rng.choice(np.array(["X", "Y"]), size=4000), rng.choice(np.array(["X", "Z"]), size=4000))
    split = binning.fit("telling", "categorical", telling.astype(object), y, 0, binning.BinningRules())
    assert len({b.woe for b in split.bins if b.goods + b.bads}) == 3 and split.iv > 0.5
