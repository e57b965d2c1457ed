"""The pilot's plan and a loan's script are pure: the same seed gives the same months, and a script's
states let a redone stage find where the chain is."""

from __future__ import annotations

from datetime import date

import pytest

from api import ApiError
from api.pilot.plan import HISTORY, TERMS, make, period_before
from api.pilot.schedule import position, script
from ledger.types import LoanStatus
from simulation.pilot import generate

MONTHS = 9


def _plan(seed: int):  # type: ignore[no-untyped-def]
    world = generate(150, HISTORY + MONTHS, seed, "2024-01")
    return world, make(world, MONTHS, 3, seed)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    assert _plan(5)[1] == _plan(5)[1]
    assert _plan(5)[1].months != _plan(6)[1].months


def test_a_plan_has_its_sanction_exit_quarters_and_a_late_application_of_the_sanctioned() -> None:
    world, plan = _plan(5)
    when = plan.sanction_month()
    assert [m.index for m in plan.months if m.sanction is not None] == [when]
    assert [m.exit_bank for m in plan.months if m.exit_bank is not None] == [2]
    assert [m.index for m in plan.months if m.quarter_end] == [2, 5, 8]
    assert [m.index for m in plan.months if m.drift] == [5]
    assert plan.sanctioned in {a.enterprise for a in plan.months[when + 1].applications}
    exit_month = next(m.index for m in plan.months if m.exit_bank is not None)
    assert all(a.bank != 2 for m in plan.months[exit_month + 1:] for a in m.applications)
    assert plan.months[0].period == period_before(world.periods[-1], MONTHS - 1)
    assert HISTORY == 12  # a whole window before the first month, whatever the pilot's length


def test_consents_come_before_applications_and_amounts_respect_the_cap() -> None:
    _, plan = _plan(5)
    consented = {e: m.index for m in plan.months for e, _ in m.consents}
    for m in plan.months:
        for a in m.applications:
            assert consented[a.enterprise] <= m.index
            assert 0 < a.amount <= 5_000_000 * 100 and a.term_months in TERMS


def test_every_delivery_falls_in_one_month_and_the_backlog_in_the_first() -> None:
    world, plan = _plan(5)
    delivered = [(d.dataset, d.period) for m in plan.months for d in m.deliveries]
    assert len(delivered) == len(set(delivered))
    assert ("tax", world.periods[0]) in {(d.dataset, d.period) for d in plan.months[0].deliveries}


def test_a_month_ingests_only_what_was_delivered_before_its_first_day() -> None:
    """As the development sample reads (delivered strictly before the as-of month's 1st): a month's
    applications read no delivery dated in their own month, and a later month only the month before's."""
    _, plan = _plan(5)
    for m in plan.months:
        opening = date(int(m.period[:4]), int(m.period[5:7]), 1)
        assert all(d.delivered < opening for d in m.deliveries)
        if m.index > 0:
            assert all(d.delivered >= date(int(p[:4]), int(p[5:7]), 1) for d in m.deliveries
                       for p in [period_before(m.period, 1)])
    assert any(d.bad_rows for m in plan.months for d in m.deliveries)


def test_too_small_a_pilot_is_refused() -> None:
    world = generate(50, HISTORY + 3, 1, "2024-01")
    with pytest.raises(ApiError, match="at least 4 months"):
        make(world, 3, 3, 1)


def test_a_performing_loan_is_repaid_in_full_with_interest() -> None:
    acts = script(1_200_000, 600, 12, 2, None, 0.2)
    assert [a.month for a in acts] == list(range(3, 15))
    assert sum(a.args[0] for a in acts) == 1_200_000
    assert acts[-1].after[0] is LoanStatus.REPAID and acts[0].args[1] == 1_200_000 * 600 // 10_000 // 12


def test_a_loan_in_trouble_goes_overdue_defaults_is_claimed_and_partly_recovered() -> None:
    acts = script(1_200_000, 600, 12, 2, 5, 0.25)
    assert [a.operation for a in acts] == ["repay", "repay", "markOverdue", "markOverdue", "markDefault",
                                           "claimCompensation", "recover"]
    assert [a.month for a in acts[2:]] == [5, 6, 7, 7, 9]
    assert acts[-1].after[0] is LoanStatus.COMPENSATED and acts[-1].args[0] == 1_000_000 // 4


def test_a_failed_enterprise_stops_paying_the_month_after_disbursement() -> None:
    acts = script(500_000, 500, 12, 4, 0, 0.1)
    assert acts[0].operation == "markOverdue" and acts[0].month == 5


def test_position_finds_the_chain_state_in_the_script_and_refuses_an_unknown_one() -> None:
    acts = script(1_200_000, 600, 12, 2, 5, 0.25)
    start = (LoanStatus.DISBURSED, 1_200_000, 0, 0, 0)
    assert position(acts, start, start) == 0
    assert position(acts, start, acts[3].after) == 4
    with pytest.raises(ValueError, match="never reaches"):
        position(acts, start, (LoanStatus.REPAID, 0, 1, 0, 0))
