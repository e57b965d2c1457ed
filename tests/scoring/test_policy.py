"""The product policy: monotone in PD, declines above the threshold, round-trips JSON under a stable id."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.policy import DEFAULT_POLICY, Policy, PolicyError

SIZES = ("micro", "small", "medium")
pds = st.floats(0, 1)
coverages = st.none() | st.floats(0, 1)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """Any well-formed policy: rising PD bounds, multipliers not rising, spreads not falling."""
    uppers = sorted(draw(st.sets(st.floats(0.001, 1), min_size=1, max_size=8)))
    multipliers = sorted(draw(st.lists(st.floats(0, 2), min_size=len(uppers), max_size=len(uppers))), reverse=True)
    spreads = sorted(draw(st.lists(st.floats(0, 0.2), min_size=len(uppers), max_size=len(uppers))))
    return Policy(
        version=draw(st.text(min_size=1, max_size=10)),
        max_pd_approve=draw(st.floats(0.0001, uppers[-1])),
        scale_limits={s: draw(st.integers(0, 10**8)) for s in SIZES},
        limit_by_pd=tuple(zip(uppers, multipliers, strict=True)),
        base_rate=draw(st.floats(0, 0.1)),
        rate_by_pd=tuple(zip(uppers, spreads, strict=True)),
        tolerance_notes=tuple(draw(st.lists(st.text(max_size=20), max_size=3))),
        limit_step=draw(st.integers(1, 10**5)),
        full_data_coverage=draw(st.floats(0, 1)),
        full_data_uplift=draw(st.floats(1, 2)),
    )


@settings(max_examples=300, deadline=None)
@given(policies() | st.just(DEFAULT_POLICY), pds, pds, st.sampled_from((*SIZES, "large")), coverages)
def test_a_higher_pd_never_gives_a_higher_limit_or_a_lower_rate(
    policy: Policy, a: float, b: float, size: str, coverage: float | None
) -> None:
    low, high = sorted((a, b))
    better, worse = policy.decide(low, size, data_coverage=coverage), policy.decide(high, size, data_coverage=coverage)
    assert worse.limit <= better.limit and worse.rate >= better.rate
    assert better.approve or not worse.approve
    for pd, d in ((low, better), (high, worse)):
        assert d.approve == (d.limit > 0) and d.limit % policy.limit_step == 0 and d.reasons
        assert not d.approve or pd <= policy.max_pd_approve


@settings(max_examples=100, deadline=None)
@given(policies(), pds, st.sampled_from(SIZES), st.floats(0, 1))
def test_more_data_never_lowers_the_limit(policy: Policy, pd: float, size: str, coverage: float) -> None:
    assert policy.decide(pd, size, data_coverage=coverage).limit >= policy.decide(pd, size).limit


@settings(max_examples=100, deadline=None)
@given(policies() | st.just(DEFAULT_POLICY))
def test_json_round_trip_keeps_the_policy_and_its_id(policy: Policy) -> None:
    again = Policy.from_json(policy.to_json())
    assert again == policy and again.policy_id == policy.policy_id and hash(again) == hash(policy)
    assert Policy.from_json(policy.canonical()) == policy
    assert policy.policy_id == hashlib.sha256(policy.to_json().encode()).hexdigest()
    assert policy.canonical() == rfc8785.dumps(json.loads(policy.canonical()))


def test_defaults_follow_r11() -> None:
    p = DEFAULT_POLICY
    assert p.max_pd_approve == 0.12 and p.version and len(p.tolerance_notes) >= 3
    small = p.decide(0.005, "small")
    assert small.approve and small.limit == 3_000_000 and small.rate == pytest.approx(0.034)
    edge = p.decide(0.12, "micro")
    assert edge.approve and edge.limit == 300_000 and edge.rate == pytest.approx(0.057)
    above = p.decide(0.1201, "micro")
    assert not above.approve and above.limit == 0 and "above the approval threshold of 12.00%" in above.reasons[0]
    assert above.rate >= edge.rate


def test_full_data_raises_the_limit() -> None:
    plain, pooled = DEFAULT_POLICY.decide(0.03, "small"), DEFAULT_POLICY.decide(0.03, "small", data_coverage=6 / 7)
    assert plain.limit == 2_250_000 and pooled.limit == 2_700_000
    assert any("raised" in r for r in pooled.reasons) and not any("raised" in r for r in plain.reasons)
    assert DEFAULT_POLICY.decide(0.03, "small", data_coverage=0.5).limit == plain.limit


def test_an_uncovered_size_is_declined_with_a_reason() -> None:
    d = DEFAULT_POLICY.decide(0.01, "large")
    assert not d.approve and d.limit == 0 and "'large' is not covered" in d.reasons[0]


def test_a_limit_that_rounds_to_nothing_is_declined() -> None:
    p = dataclasses.replace(DEFAULT_POLICY, scale_limits={"micro": 9_999})
    d = p.decide(0.001, "micro")
    assert not d.approve and d.limit == 0 and "rounds down" in d.reasons[-1]


@pytest.mark.parametrize("pd", [-0.01, 1.01, float("nan"), True, "0.1"])
def test_a_pd_outside_zero_one_is_refused(pd: Any) -> None:
    with pytest.raises(PolicyError):
        DEFAULT_POLICY.decide(pd, "small")


def test_a_coverage_outside_zero_one_is_refused() -> None:
    with pytest.raises(PolicyError):
        DEFAULT_POLICY.decide(0.01, "small", data_coverage=1.5)


@pytest.mark.parametrize(
    "change",
    [
        {"version": ""},
        {"max_pd_approve": 0.0},
        {"max_pd_approve": 0.2},  # beyond the last limit band
        {"scale_limits": {}},
        {"scale_limits": {"micro": -1}},
        {"scale_limits": {"micro": 1.5}},
        {"limit_by_pd": ((0.05, 0.5), (0.12, 0.6))},  # a multiplier rising with PD
        {"limit_by_pd": ((0.12, 0.5), (0.05, 0.6))},  # bounds out of order
        {"limit_by_pd": ((0.12, -0.5),)},
        {"limit_by_pd": ()},
        {"limit_by_pd": ((0.12,),)},
        {"rate_by_pd": ((0.05, 0.02), (0.12, 0.01))},  # a spread falling with PD
        {"rate_by_pd": ((0.05, 0.01), (1.5, 0.02))},
        {"base_rate": -0.05},
        {"base_rate": float("inf")},
        {"limit_step": 0},
        {"full_data_uplift": 0.9},
        {"full_data_coverage": 1.1},
    ],
)
def test_malformed_policies_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(PolicyError):
        dataclasses.replace(DEFAULT_POLICY, **change)


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"version": "x"}', json.dumps({**DEFAULT_POLICY.as_json(), "format": "other/1"}),
     json.dumps({**DEFAULT_POLICY.as_json(), "surprise": 1}), json.dumps({**DEFAULT_POLICY.as_json(), "_id": "0"})],
)
def test_from_json_refuses_what_is_not_a_policy(text: str) -> None:
    with pytest.raises(PolicyError):
        Policy.from_json(text)


def test_every_term_is_in_the_id() -> None:
    changes: list[dict[str, Any]] = [
        {"version": "other"}, {"max_pd_approve": 0.11}, {"scale_limits": {"micro": 1}}, {"base_rate": 0.031},
        {"limit_by_pd": ((0.12, 0.3),)}, {"rate_by_pd": ((0.12, 0.03),)}, {"tolerance_notes": ()},
        {"limit_step": 1000}, {"full_data_coverage": 0.9}, {"full_data_uplift": 1.1},
    ]
    ids = {dataclasses.replace(DEFAULT_POLICY, **c).policy_id for c in changes} | {DEFAULT_POLICY.policy_id}
    assert len(ids) == len(changes) + 1
