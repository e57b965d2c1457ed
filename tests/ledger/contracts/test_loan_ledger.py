"""LoanLedger's lifecycle on every backend (seeds R2, R8): who may do what, the state machine, the
k-of-n oracle quorum, and the loss-sharing arithmetic of compensation, recovery and subsidy.

The worked example the README gives is :func:`test_a_default_is_compensated_and_recoveries_are_shared_back`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from loan_world import JIANGBEI, POLICY, YUZHONG, LoanWorld, build

from ledger.contracts.loan_ledger import MUNICIPAL, Policy
from ledger.errors import ContractRevert
from ledger.types import LoanStatus

WAN = 10_000_00
"""Ten thousand yuan (万元) in fen, the unit loans are quoted in."""


@pytest.fixture
def world(chain, backend, make_identity, sender) -> LoanWorld:  # type: ignore[no-untyped-def]
    return build(chain, backend, make_identity, sender)


def named(error: str) -> Any:
    return pytest.raises(ContractRevert.named(error))


def events(world: LoanWorld, receipt: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e["event"], dict(e["args"])) for e in world.loans.contract.events(receipt)]


def fund(world: LoanWorld, municipal: int = 1_000 * WAN, district: int = 1_000 * WAN) -> None:
    world.loans.fund(world.send(world.regulator), MUNICIPAL, municipal)
    world.loans.fund(world.send(world.regulator), YUZHONG, district)


def assert_pools_balance(world: LoanWorld, *pools: int) -> None:
    for pool in pools:
        p = world.loans.pool(pool)
        assert p.deposits + p.returned == p.paid + p.balance


# ---- the happy path ------------------------------------------------------------------------------


def test_a_loan_is_applied_for_decided_disbursed_repaid_and_closed(world: LoanWorld) -> None:
    fund(world)
    consent = world.consent()
    app = world.loans.apply(world.send(world.bank), world.subject(), consent, 100 * WAN, 12, "SME-CREDIT-1Y")
    a = world.loans.application(app)
    assert (a.bank, a.subject, a.consent_id, a.amount, a.term_months, a.product_id) == (
        world.bank.address, world.subject(), consent, 100 * WAN, 12, "SME-CREDIT-1Y")
    assert world.loans.loan(app).status is LoanStatus.APPLIED

    decision = world.decision(app, limit=80 * WAN)
    receipt = world.loans.decide(world.send(world.oracle), decision)
    assert [name for name, _ in events(world, receipt)] == ["DecisionSubmitted", "Decided", "StatusChanged"]
    assert world.loans.decision(app) == decision
    assert world.loans.loan(app).status is LoanStatus.APPROVED

    with named("OverLimit"):
        world.loans.disburse(world.send(world.bank), app, 81 * WAN, YUZHONG)
    world.loans.disburse(world.send(world.bank), app, 80 * WAN, YUZHONG)
    receipt = world.loans.repay(world.send(world.bank), app, 30 * WAN, 2 * WAN)
    (repaid, args), (subsidised, paid) = events(world, receipt)
    assert (repaid, args["outstanding"]) == ("Repaid", 50 * WAN)
    assert (subsidised, paid["amount"], paid["shortfall"]) == ("Subsidised", WAN // 2, 0)  # 25% of the interest
    world.loans.repay(world.send(world.bank), app, 50 * WAN, 0)
    loan = world.loans.loan(app)
    assert (loan.status, loan.outstanding, loan.repaid_principal, loan.interest_paid) == (
        LoanStatus.REPAID, 0, 80 * WAN, 2 * WAN)
    world.loans.close(world.send(world.bank), app)
    assert world.loans.loan(app).status is LoanStatus.CLOSED
    assert_pools_balance(world, MUNICIPAL, YUZHONG)


# ---- who may act ---------------------------------------------------------------------------------


def test_only_a_bank_with_the_enterprises_consent_may_apply(world: LoanWorld) -> None:
    with named("NotAuthorized"):
        world.loans.apply(world.send(world.oracle), world.subject(), world.consent(), WAN, 12, "P")
    with named("ConsentNotValid"):  # the consent was given to the first bank
        world.loans.apply(world.send(world.banks[1]), world.subject(), world.consent(), WAN, 12, "P")
    with named("ConsentNotValid"):  # for another enterprise
        world.loans.apply(world.send(world.bank), world.subject(1), world.consent(), WAN, 12, "P")
    with named("ConsentNotValid"):
        world.loans.apply(world.send(world.bank), world.subject(), "ab" * 32, WAN, 12, "P")
    with named("ZeroAmount"):
        world.loans.apply(world.send(world.bank), world.subject(), world.consent(), 0, 12, "P")
    world.consents.revoke(world.send(world.enterprises[0]), bytes.fromhex(world.consent()))
    with named("ConsentNotValid"):
        world.loans.apply(world.send(world.bank), world.subject(), world.consent(), WAN, 12, "P")


def test_only_an_oracle_decides_with_a_servable_model_and_a_sanctioned_subject_is_declined(
        world: LoanWorld) -> None:
    app = world.apply(50 * WAN)
    with named("NotAuthorized"):
        world.loans.decide(world.send(world.bank), world.decision(app))
    with named("ModelNotServable"):
        world.loans.decide(world.send(world.oracle), world.decision(app, model_id="cd" * 32))
    with named("LimitOutOfRange"):
        world.loans.decide(world.send(world.oracle), world.decision(app, limit=51 * WAN))
    with named("EmptyRecordHash"):
        world.loans.decide(world.send(world.oracle), world.decision(app, record_hash="00" * 32))
    world.sanctions.sanction(world.send(world.regulator), world.subject(), "false tax data")
    with named("SanctionedSubject"):
        world.loans.decide(world.send(world.oracle), world.decision(app))
    world.loans.decide(world.send(world.oracle), world.decision(app, approve=False))
    assert world.loans.loan(app).status is LoanStatus.DECLINED
    with named("IllegalTransition") as caught:  # once per application
        world.loans.decide(world.send(world.oracles[1]), world.decision(app, approve=False))
    assert caught.value.args_by_name["status"] is LoanStatus.DECLINED
    world.models.retire(world.send(world.regulator), world.model_id, "superseded")
    with named("ModelNotServable"):
        world.loans.decide(world.send(world.oracle), world.decision(world.apply()))


def test_a_decision_is_final_when_a_quorum_of_oracles_submit_the_same_record(world: LoanWorld) -> None:
    world.loans.set_policy(world.send(world.regulator), Policy(**{**POLICY.__dict__, "quorum": 2}))
    app = world.apply()
    agreed, other = world.decision(app), world.decision(app)
    world.loans.decide(world.send(world.oracles[0]), agreed)
    with named("AlreadyVoted"):
        world.loans.decide(world.send(world.oracles[0]), agreed)
    world.loans.decide(world.send(world.oracles[1]), other)  # disagrees: recorded, not final
    assert world.loans.loan(app).status is LoanStatus.APPLIED
    assert (world.loans.votes(app, agreed.record_hash), world.loans.votes(app, other.record_hash)) == (1, 1)
    with named("DecisionMismatch"):  # the same record cannot carry other terms
        world.loans.decide(world.send(world.oracles[2]), world.decision(app, record_hash=agreed.record_hash,
                                                                       limit=agreed.limit - 1))
    world.loans.decide(world.send(world.oracles[2]), agreed)
    assert world.loans.loan(app).status is LoanStatus.APPROVED
    assert world.loans.decision(app) == agreed


def test_a_batch_of_decisions_is_all_or_nothing(world: LoanWorld) -> None:
    apps = [world.apply() for _ in range(3)]
    bad = [world.decision(a) for a in apps[:2]] + [world.decision(apps[2], model_id="ef" * 32)]
    with named("ModelNotServable"):
        world.loans.decide_batch(world.send(world.oracle), bad)
    assert {world.loans.loan(a).status for a in apps} == {LoanStatus.APPLIED}
    world.loans.decide_batch(world.send(world.oracle), [world.decision(a, approve=a != apps[1]) for a in apps])
    assert [world.loans.loan(a).status for a in apps] == [LoanStatus.APPROVED, LoanStatus.DECLINED,
                                                          LoanStatus.APPROVED]


def test_only_the_applying_bank_reports_on_its_loan(world: LoanWorld) -> None:
    app = world.approved()
    for act in (lambda who: world.loans.disburse(who, app, WAN, YUZHONG),
                lambda who: world.loans.close(who, app)):
        with named("NotApplicationBank"):
            act(world.send(world.banks[1]))
    world.loans.disburse(world.send(world.bank), app, WAN, YUZHONG)
    with named("NotApplicationBank") as caught:
        world.loans.repay(world.send(world.banks[1]), app, WAN, 0)
    assert caught.value.args_by_name == {"applicationId": app, "account": world.banks[1].address}


def test_an_exited_bank_starts_nothing_new_but_runs_off_its_loans(world: LoanWorld) -> None:
    fund(world)
    repaying, defaulting, approved = world.disbursed(), world.disbursed(), world.approved()
    world.registry.exit(world.send(world.operator), world.bank.address, "left the pilot")
    with named("NotAuthorized"):
        world.apply()
    with named("NotAuthorized"):
        world.loans.disburse(world.send(world.bank), approved, WAN, YUZHONG)
    world.loans.repay(world.send(world.bank), repaying, 100 * WAN, 3 * WAN)
    world.loans.mark_overdue(world.send(world.bank), defaulting, 31)
    world.loans.mark_default(world.send(world.bank), defaulting, 95)
    world.loans.claim_compensation(world.send(world.bank), defaulting)
    for app in (repaying, approved):
        world.loans.close(world.send(world.bank), app)
    assert [world.loans.loan(a).status for a in (repaying, defaulting, approved)] == [
        LoanStatus.CLOSED, LoanStatus.COMPENSATED, LoanStatus.CLOSED]


# ---- the state machine ---------------------------------------------------------------------------


def test_every_illegal_transition_is_a_named_error(world: LoanWorld) -> None:
    declined = world.apply()
    world.loans.decide(world.send(world.oracle), world.decision(declined, approve=False))
    bank = world.send(world.bank)
    refused = [
        lambda: world.loans.disburse(bank, declined, WAN, YUZHONG),  # DECLINED is final
        lambda: world.loans.close(bank, declined),
        lambda: world.loans.repay(bank, world.approved(), WAN, 0),  # not disbursed yet
        lambda: world.loans.mark_default(bank, world.disbursed(), 90),  # overdue first
        lambda: world.loans.mark_overdue(bank, world.disbursed(), 0),  # 0 cures only an overdue loan
        lambda: world.loans.claim_compensation(bank, world.disbursed()),  # only after a default
        lambda: world.loans.recover(bank, world.disbursed(), WAN),
        lambda: world.loans.write_off(bank, world.disbursed()),
        lambda: world.loans.close(bank, world.disbursed()),  # money is outstanding
        lambda: world.loans.disburse(bank, world.disbursed(), WAN, YUZHONG),  # once
    ]
    for act in refused:
        with named("IllegalTransition"):
            act()
    with named("UnknownApplication"):
        world.loans.loan(999)


def test_overdue_is_cured_by_zero_days_past_due_and_a_default_needs_days(world: LoanWorld) -> None:
    app, bank = world.disbursed(), world.send(world.bank)
    world.loans.mark_overdue(bank, app, 15)
    world.loans.mark_overdue(bank, app, 0)
    assert world.loans.loan(app).status is LoanStatus.DISBURSED
    world.loans.mark_overdue(bank, app, 45)
    with named("ZeroDaysPastDue"):
        world.loans.mark_default(bank, app, 0)
    world.loans.repay(bank, app, 100 * WAN, 0)  # an overdue loan repaid in full is repaid
    assert world.loans.loan(app).status is LoanStatus.REPAID


def test_an_approval_expires_and_a_claim_window_closes(world: LoanWorld) -> None:
    world.loans.set_policy(world.send(world.regulator), Policy(**{**POLICY.__dict__, "approval_validity": 3,
                                                                  "claim_window": 3}))
    expiring, defaulted = world.approved(), world.defaulted()
    world.advance_to(max(world.loans.loan(expiring).valid_until, world.loans.loan(defaulted).defaulted_at + 3) + 1)
    with named("ApprovalExpired"):
        world.loans.disburse(world.send(world.bank), expiring, WAN, YUZHONG)
    with named("ClaimWindowClosed"):
        world.loans.claim_compensation(world.send(world.bank), defaulted)
    world.loans.write_off(world.send(world.bank), defaulted)  # the bank bears it
    world.loans.close(world.send(world.bank), expiring)  # never disbursed
    assert world.loans.loan(defaulted).written_off == 100 * WAN


# ---- loss sharing --------------------------------------------------------------------------------


def test_a_default_is_compensated_and_recoveries_are_shared_back(world: LoanWorld) -> None:
    fund(world)
    app, bank = world.defaulted(100 * WAN), world.send(world.bank)
    world.loans.recover(bank, app, 10 * WAN)  # before the claim: the loss is what is left
    receipt = world.loans.claim_compensation(bank, app)
    (_, c), _ = events(world, receipt)
    assert (c["loss"], c["municipalPaid"], c["districtPaid"]) == (90 * WAN, 36 * WAN, 18 * WAN)  # 40%, 20%
    assert world.loans.loan(app).status is LoanStatus.COMPENSATED
    (_, r), = events(world, world.loans.recover(bank, app, 45 * WAN))  # half the loss comes back
    assert (r["municipalReturned"], r["districtReturned"], r["outstanding"]) == (18 * WAN, 9 * WAN, 45 * WAN)
    world.loans.recover(bank, app, 45 * WAN)  # all of it: each pool has had back exactly what it paid
    claim = world.loans.claim(app)
    assert (claim.municipal_returned, claim.district_returned) == (claim.municipal_paid, claim.district_paid)
    assert world.loans.pool(MUNICIPAL).balance == 1_000 * WAN
    assert_pools_balance(world, MUNICIPAL, YUZHONG)
    world.loans.close(bank, app)
    assert world.loans.loan(app).status is LoanStatus.CLOSED


def test_a_pool_short_of_money_records_the_shortfall(world: LoanWorld) -> None:
    fund(world, municipal=1_000 * WAN, district=5 * WAN)
    app = world.defaulted(100 * WAN, district=JIANGBEI)  # Jiangbei's pool is empty
    world.loans.fund(world.send(world.regulator), JIANGBEI, 5 * WAN)
    (_, c), _ = events(world, world.loans.claim_compensation(world.send(world.bank), app))
    assert (c["districtPaid"], c["districtShortfall"], c["municipalShortfall"]) == (5 * WAN, 15 * WAN, 0)
    assert world.loans.pool(JIANGBEI) == world.loans.pool(JIANGBEI).__class__(5 * WAN, 5 * WAN, 0, 0, 15 * WAN)
    assert_pools_balance(world, MUNICIPAL, JIANGBEI)


def test_caps_per_loan_and_per_bank_year_scale_the_government_share(world: LoanWorld) -> None:
    capped = Policy(**{**POLICY.__dict__, "loan_cap": 30 * WAN, "bank_year_cap": 45 * WAN})
    world.loans.set_policy(world.send(world.regulator), capped)
    fund(world)
    first, second = world.defaulted(100 * WAN), world.defaulted(100 * WAN)
    (_, c), _ = events(world, world.loans.claim_compensation(world.send(world.bank), first))
    assert (c["municipalPaid"], c["districtPaid"]) == (20 * WAN, 10 * WAN)  # 60 wan due, capped at 30, split 2:1
    (_, c), _ = events(world, world.loans.claim_compensation(world.send(world.bank), second))
    assert (c["municipalPaid"], c["districtPaid"]) == (10 * WAN, 5 * WAN)  # what is left of the bank's 45
    year = datetime.fromtimestamp(world.loans.loan(second).defaulted_at, UTC).year
    assert world.loans.committed(world.bank.address, year) == 45 * WAN


def test_a_loan_keeps_the_policy_it_was_disbursed_under(world: LoanWorld) -> None:
    fund(world)
    under_v1 = world.disbursed()
    version = world.loans.set_policy(world.send(world.regulator), Policy(
        **{**POLICY.__dict__, "municipal_bps": 1_000, "district_bps": 1_000, "bank_bps": 8_000}))
    assert (version, world.loans.policy_version()) == (2, 2)
    bank = world.send(world.bank)
    world.loans.mark_overdue(bank, under_v1, 40)
    world.loans.mark_default(bank, under_v1, 100)
    (_, c), _ = events(world, world.loans.claim_compensation(bank, under_v1))
    assert (c["municipalPaid"], c["districtPaid"]) == (40 * WAN, 20 * WAN)
    assert world.loans.loan(world.disbursed()).policy_version == 2


def test_only_a_regulator_sets_whole_policies_and_funds_pools(world: LoanWorld) -> None:
    for who in (world.operator, world.bank):
        with named("NotAuthorized"):
            world.loans.set_policy(world.send(who), POLICY)
        with named("NotAuthorized"):
            world.loans.fund(world.send(who), MUNICIPAL, WAN)
    regulator = world.send(world.regulator)
    for change, error in (({"bank_bps": 3_999}, "SharesNotWhole"), ({"subsidy_bps": 10_001}, "SharesNotWhole"),
                          ({"quorum": 0}, "ZeroQuorum"), ({"claim_window": 0}, "ZeroWindow")):
        with named(error):
            world.loans.set_policy(regulator, Policy(**{**POLICY.__dict__, **change}))
    with named("ZeroAmount"):
        world.loans.fund(regulator, MUNICIPAL, 0)
    assert world.loans.policy(1) == POLICY and world.loans.policy_version() == 1


def test_disbursing_needs_a_policy_and_a_district(chain, backend, make_identity, sender) -> None:  # type: ignore[no-untyped-def]
    world = build(chain, backend, make_identity, sender, policy=None)
    assert world.loans.quorum() == 1
    app = world.approved()
    with named("NoPolicy"):
        world.loans.disburse(world.send(world.bank), app, WAN, YUZHONG)
    world.loans.set_policy(world.send(world.regulator), POLICY)
    with named("InvalidDistrict"):
        world.loans.disburse(world.send(world.bank), app, WAN, MUNICIPAL)


def test_the_contracts_calendar_year_is_utcs(world: LoanWorld) -> None:
    edges = [0, 951_782_400, 951_868_799, 1_767_225_599, 1_767_225_600, 4_102_444_800, 253_402_300_799]
    assert [world.loans.contract.call("yearOf", t) for t in edges] == [
        datetime.fromtimestamp(t, UTC).year for t in edges]


def test_an_application_a_split_quorum_cannot_decide_is_withdrawn_by_its_bank(world: LoanWorld) -> None:
    world.loans.set_policy(world.send(world.regulator), Policy(**{**POLICY.__dict__, "quorum": 2}))
    app = world.apply()
    for oracle in world.oracles:  # three different records: none can reach two votes
        world.loans.decide(world.send(oracle), world.decision(app))
    with named("NotApplicationBank"):
        world.loans.close(world.send(world.banks[1]), app)
    world.loans.close(world.send(world.bank), app)
    assert world.loans.loan(app).status is LoanStatus.CLOSED


def test_a_capped_split_gives_no_pool_more_than_its_share(world: LoanWorld) -> None:
    """90% municipal, 5% district, a 1-fen cap on a 3-fen loss: the split's odd fen must not go to the district,
    whose share (0.15 fen) rounds to nothing."""
    world.loans.set_policy(world.send(world.regulator), Policy(**{**POLICY.__dict__, "municipal_bps": 9_000,
                                                                  "district_bps": 500, "bank_bps": 500, "loan_cap": 1}))
    fund(world)
    app = world.defaulted(3)
    (_, c), _ = events(world, world.loans.claim_compensation(world.send(world.bank), app))
    assert (c["municipalPaid"], c["districtPaid"]) == (1, 0)
