"""LoanLedger under random use (issue 14's acceptance): a hypothesis state machine drives every operation,
by random actors (the right bank, the other bank, an oracle, the regulator, a bank that has exited), against
the contracts on eth-tester and against loan_rules' pure model, and checks after every step that the two
agree (the loan, claim, pool, policy and committed views), that money is conserved, that compensation stays
within the policy's shares, the caps and the pools, and that every refusal is the named error the model
expects.

Speed: the world is built once per test; each example starts from an EVM snapshot of it, at 23:59 UTC on
31 December, so that claims fall on both sides of a new year (the per-bank yearly cap resets).
Being ahead of the wall clock also makes eth-tester's blocks exactly one second apart, so the model knows
the timestamp of the block each transaction lands in. Waits are 2,500 s or 90,000 s and windows 3,600 s
or 86,400 s, so no deadline falls within the few seconds' drift of an example.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from loan_rules import WHOLE, Entry, Rules, attempt
from loan_world import JIANGBEI, POLICY, YUZHONG, LoanWorld, build

from ledger.chain import Chain, Identity, TransactionSender
from ledger.contracts.loan_ledger import Claim, Decision, Loan, Policy, Pool
from ledger.errors import ContractRevert
from ledger.types import LoanStatus, Role

S = LoanStatus
T = TypeVar("T")
POOLS = (0, YUZHONG, JIANGBEI)

SETTINGS = settings(max_examples=15, stateful_step_count=28, derandomize=True, deadline=None,
                    suppress_health_check=list(HealthCheck))
"""Deterministic for CI; sized for well under 90 s on a loaded two-core machine."""


@dataclass
class Ready:
    """The world, its consents granted, a retired model, the clock at New Year's Eve; a snapshot of it."""

    world: LoanWorld
    retired_model: str
    start: int
    snapshot: Any = None
    rules: Rules | None = None


def new_years_eve(now: int) -> int:
    """31 December 23:00 UTC of the year of ``now`` (of the next year if that is past)."""
    year = datetime.fromtimestamp(now, UTC).year
    eve = int(datetime(year, 12, 31, 23, tzinfo=UTC).timestamp())
    return eve if eve > now + 600 else int(datetime(year + 1, 12, 31, 23, tzinfo=UTC).timestamp())


def estimate_once(state: Any, transaction: Any) -> int:
    """py-evm's gas estimate reduced to one run at the block's gas limit (its default runs a binary search,
    a dozen runs a transaction): the test sends hundreds and only needs each one's revert, if any."""
    from eth.vm.spoof import SpoofTransaction

    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(SpoofTransaction(transaction, gas=state.gas_limit, gas_price=0))
    finally:
        state.revert(snapshot)
    if computation.is_error:
        raise computation.error
    return int(state.gas_limit) // 2


@pytest.fixture(autouse=True)
def one_run_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    """eth-tester's chain, made (by the ``chain`` fixture, after this one) with :func:`estimate_once`."""
    monkeypatch.setenv("GAS_ESTIMATOR_BACKEND_FUNC", f"{__name__}.estimate_once")


@pytest.fixture
def ready(chain: Chain, backend: str, make_identity: Callable[[Role], Identity],
          sender: Callable[[Identity], TransactionSender]) -> Ready:
    world = build(chain, backend, make_identity, sender)
    for e, b in itertools.product(range(2), range(2)):
        world.consent(e, b)
    retired = hashlib.sha256(b"a retired model").hexdigest()
    world.models.register(sender(world.operator), retired, hashlib.sha256(b"its report").hexdigest())
    world.models.approve(sender(world.regulator), retired)
    world.models.retire(sender(world.regulator), retired, "superseded by a newer model")
    start = new_years_eve(world.now())
    chain.web3.provider.make_request("testing_timeTravel", [start])  # type: ignore[arg-type]
    ready = Ready(world, retired, start)
    machine = LoanMachine(ready)
    prelude(machine)
    machine.teardown()
    assert machine.rules.pool(0).balance == 116_666 and machine.rules.pool(JIANGBEI).shortfall > 0
    machine.wait(start + 3_540 - machine.latest())  # 23:59: the first wait of an example crosses into the new year
    ready.rules = machine.rules
    ready.snapshot = chain.web3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    return ready


TIGHT = Policy(municipal_bps=5_000, district_bps=2_500, bank_bps=2_500, subsidy_bps=3_000, quorum=2,
               approval_validity=3_600, claim_window=86_400, loan_cap=300_000, bank_year_cap=500_000)
"""The policy each example starts under: two oracles must agree, an hour to disburse, a day to claim
(a wait of 90,000 s closes both), caps that bind: the prelude's claims leave the second bank 200,000 fen
of its year, less than its defaulted loan's claim."""


def prelude(m: LoanMachine) -> None:
    """What each example starts from: :data:`TIGHT` in force, the pools funded thinly (the prelude leaves the
    municipal pool 116,666 fen; Jiangbei's falls short at once) and a loan at every stage, the banks taking
    turns: applied (with one vote), approved, disbursed, partly repaid, overdue, defaulted, compensated,
    compensated and partly recovered, declined. Checked like any step."""
    m.do_set_policy(TIGHT, m.w.regulator)
    for pool, amount in zip(POOLS, (450_000, 400_000, 30_000), strict=True):
        m.fund(pool, amount, "regulator")
    # moves (see LoanMachine.move): 1 approves (0 declines), 2/3 disburse to Yuzhong/Jiangbei, then 2 marks overdue,
    # defaults and claims, 1 repays, 0 recovers
    for n, moves in enumerate([[], [1], [1, 2], [1, 2, 1], [1, 3, 2], [1, 2, 2, 2], [1, 3, 2, 2, 2],
                               [1, 2, 2, 2, 2, 0], [0]]):
        m.apply(n % 2, n // 2 % 2, "own", 300_000 + 250_000 * n, 12, "bank")
        for choice in moves:
            m.move(len(m.rules.entries), choice, "part", 20_000)
    m.decide((0, "fit", True, "amount", "fresh", "ok"), 0)
    m.do_close(len(m.rules.entries), m.actor("own", len(m.rules.entries)))  # a declined one stays declined


ACTOR = st.sampled_from(["own"] * 6 + ["other", "oracle", "regulator"])
MODE = st.sampled_from(["fit"] * 9 + ["any"])
PICK = st.integers(0, 1_000)
REGULATOR = st.sampled_from(["regulator"] * 5 + ["bank", "oracle"])
MONEY = st.sampled_from(["all", "part", "part", "zero", "over"])
"""How much of what is allowed (the limit, the outstanding principal): see :func:`how_much`."""
VOTE = st.tuples(PICK, MODE, st.sampled_from([True, True, True, False]),
                 st.sampled_from(["amount", "amount", "half", "zero", "over"]),
                 st.sampled_from(["fresh", "fresh", "agree", "agree", "agree", "mismatch", "empty"]),
                 st.sampled_from(["ok"] * 8 + ["retired", "unknown"]))


class LoanMachine(RuleBasedStateMachine):
    def __init__(self, ready: Ready) -> None:
        super().__init__()
        self.ready, self.w = ready, ready.world
        w = self.w
        if ready.snapshot is not None:
            w.chain.web3.provider.make_request("evm_revert", [ready.snapshot])  # type: ignore[arg-type]
        roles = {who.address: who.role for who in (w.regulator, *w.banks, *w.oracles)}
        consents = {cid: (w.subject(e), w.banks[b].address) for (e, b), cid in w.consent_ids.items()}
        self.rules = copy.deepcopy(ready.rules) or Rules(roles, consents, {w.model_id}, policies=[POLICY])
        self.hashes = itertools.count(1 if ready.rules is None else 1_000)
        self.touched: set[int] = set()
        self.senders: dict[str, TransactionSender] = {}
        self.before: Rules | None = None

    # ---- the steps ---------------------------------------------------------------------------

    def latest(self) -> int:
        return int(self.w.chain.web3.eth.get_block("latest")["timestamp"])

    def step(self, op: Callable[[Rules, int], T], call: Callable[[], object]) -> T | None:
        """``call`` on chain and ``op`` in the model: both succeed, or both refuse with the same error."""
        now = self.latest() + 1  # the block the transaction lands in: blocks are a second apart here
        new, result, error = attempt(self.rules, lambda r: op(r, now))
        try:
            call()
        except ContractRevert as revert:
            assert revert.error == error, f"the contract reverted {revert}; the model expected {error or 'success'}"
            return None
        assert error is None, f"the contract accepted what the model refuses with {error}"
        assert self.latest() == now, "the transaction landed at another time than the model assumed"
        self.rules, self.before = new, self.rules
        return result

    def send(self, who: Identity) -> TransactionSender:
        """One sender per account and example (it counts nonces; each example rewinds the chain)."""
        return self.senders.setdefault(who.address, TransactionSender(self.w.chain, who.account))

    def app(self, pick: int, mode: str, *fits: LoanStatus) -> int:
        """An application id: in mode "fit", a loan in one of ``fits`` (each status present as likely as the
        next, so a lone declined loan is found as often as the many disbursed ones); else any, or unknown."""
        entries = self.rules.entries
        present = sorted({e.loan.status for e in entries if e.loan.status in fits})
        if mode == "fit" and present:
            status = present[pick % len(present)]
            fitting = [i + 1 for i, e in enumerate(entries) if e.loan.status is status]
            app = fitting[pick // len(present) % len(fitting)]
        else:
            app = pick % (len(entries) + 2)
        self.touched.add(app)
        return app

    def actor(self, kind: str, app: int) -> Identity:
        own = self.rules.entries[app - 1].bank if 1 <= app <= len(self.rules.entries) else self.w.banks[0].address
        bank = next(b for b in self.w.banks if b.address == own)
        other = next(b for b in self.w.banks if b.address != own)
        return {"own": bank, "other": other, "oracle": self.w.oracles[0], "regulator": self.w.regulator}[kind]

    def staff(self, kind: str) -> Identity:
        return {"regulator": self.w.regulator, "bank": self.w.banks[0], "oracle": self.w.oracles[1]}[kind]

    # ---- the regulator ----------------------------------------------------------------------

    @rule(kind=st.sampled_from(["valid"] * 5 + ["sum", "subsidy", "quorum", "window"]),
          shares=st.tuples(st.integers(0, WHOLE), st.integers(0, WHOLE)), subsidy=st.integers(0, WHOLE),
          quorum=st.sampled_from([1, 1, 1, 2, 3]), windows=st.tuples(*[st.sampled_from([3_600, 86_400])] * 2),
          caps=st.tuples(st.sampled_from([20_000, 300_000, 10**9]), st.sampled_from([50_000, 800_000, 10**10])),
          by=REGULATOR)
    def set_policy(self, kind: str, shares: tuple[int, int], subsidy: int, quorum: int,
                   windows: tuple[int, int], caps: tuple[int, int], by: str) -> None:
        low, high = sorted(shares)
        p = Policy(low, high - low, WHOLE - high, subsidy, quorum, *windows, *caps)
        p = {"valid": p, "sum": replace(p, bank_bps=p.bank_bps + 1), "subsidy": replace(p, subsidy_bps=WHOLE + 1),
             "quorum": replace(p, quorum=0), "window": replace(p, claim_window=0)}[kind]
        self.do_set_policy(p, self.staff(by))

    def do_set_policy(self, p: Policy, who: Identity) -> None:
        self.step(lambda r, now: r.set_policy(who.address, p), lambda: self.w.loans.set_policy(self.send(who), p))

    @rule(pool=st.sampled_from(POOLS), amount=st.sampled_from([0]) | st.integers(1, 3_000_000), by=REGULATOR)
    def fund(self, pool: int, amount: int, by: str) -> None:
        who = self.staff(by)
        self.step(lambda r, now: r.fund(who.address, pool, amount),
                  lambda: self.w.loans.fund(self.send(who), pool, amount))

    @rule(enterprise=st.integers(0, 1))
    def toggle_sanction(self, enterprise: int) -> None:
        subject, listed = self.w.subject(enterprise), self.rules.sanctioned
        if subject in listed:
            self.w.sanctions.lift(self.send(self.w.regulator), subject, "cleared on review")
            listed.discard(subject)
        else:
            self.w.sanctions.sanction(self.send(self.w.regulator), subject, "listed by the authority")
            listed.add(subject)

    @precondition(lambda self: all(b.address in self.rules.roles for b in self.w.banks))
    @rule(bank=st.integers(0, 1))
    def exit_bank(self, bank: int) -> None:
        """R8: a bank leaves the pilot (one per example, so the other can still lend)."""
        who = self.w.banks[bank]
        self.w.registry.exit(self.send(who), who.address, "leaving the pilot")
        del self.rules.roles[who.address]

    @rule(seconds=st.sampled_from([2_500, 2_500, 90_000]))
    def wait(self, seconds: int) -> None:
        self.w.chain.web3.provider.make_request("testing_timeTravel", [self.latest() + seconds])  # type: ignore[arg-type]

    # ---- the bank asks, the oracles decide ----------------------------------------------------

    @rule(bank=st.integers(0, 1), enterprise=st.integers(0, 1),
          consent=st.sampled_from(["own"] * 6 + ["other subject", "other bank"]),
          amount=st.sampled_from([0]) | st.integers(1, 2_000_000), term=st.sampled_from([12, 12, 12, 0]),
          by=st.sampled_from(["bank"] * 8 + ["oracle", "regulator"]))
    def apply(self, bank: int, enterprise: int, consent: str, amount: int, term: int, by: str) -> None:
        e, b = {"own": (enterprise, bank), "other subject": (1 - enterprise, bank),
                "other bank": (enterprise, 1 - bank)}[consent]
        cid, subject = self.w.consent(e, b), self.w.subject(enterprise)
        who = self.w.banks[bank] if by == "bank" else self.staff(by)
        got: list[int] = []
        expected = self.step(lambda r, now: r.apply(who.address, subject, cid, amount, term),
                             lambda: got.append(self.w.loans.apply(self.send(who), subject, cid, amount, term,
                                                                   "SME-CREDIT-1Y")))
        assert got == ([] if expected is None else [expected])
        self.touched.add(self.rules_count())

    def rules_count(self) -> int:
        return len(self.rules.entries)

    def decision(self, vote: tuple[int, str, bool, str, str, str]) -> Decision:
        """A decision as an oracle might send it: fresh, agreeing with a proposal, or clashing with one."""
        pick, mode, approve, limit, record, model = vote
        app = self.app(pick, mode, S.APPLIED)
        amount = self.rules.entries[app - 1].amount if 1 <= app <= self.rules_count() else 1_000
        limit_of = {"amount": amount, "half": amount // 2 + 1, "zero": 0, "over": amount + 1}
        model_id = {"ok": self.w.model_id, "retired": self.ready.retired_model,
                    "unknown": hashlib.sha256(b"never registered").hexdigest()}[model]
        d = Decision(app, approve, limit_of[limit] if approve else 0, 450, 21_000, 612, model_id,
                     hashlib.sha256(str(next(self.hashes)).encode()).hexdigest())
        proposals = list(self.rules.entries[app - 1].proposals.values()) if 1 <= app <= self.rules_count() else []
        if record == "agree" and proposals:
            return proposals[pick % len(proposals)]
        if record == "mismatch" and proposals:
            return replace(proposals[pick % len(proposals)], score=613)
        return replace(d, record_hash="0" * 64) if record == "empty" else d

    @rule(vote=VOTE, oracle=st.sampled_from([0, 1, 2, 0, 1, 2, "bank"]))
    def decide(self, vote: tuple[int, str, bool, str, str, str], oracle: int | str) -> None:
        d = self.decision(vote)
        self.cast(self.w.banks[0] if oracle == "bank" else self.w.oracles[int(oracle)], [d])

    @rule(votes=st.lists(VOTE, min_size=1, max_size=3), oracle=st.integers(0, 2))
    def decide_batch(self, votes: list[tuple[int, str, bool, str, str, str]], oracle: int) -> None:
        self.cast(self.w.oracles[oracle], [self.decision(v) for v in votes], batch=True)

    def cast(self, who: Identity, ds: list[Decision], batch: bool = False) -> None:
        """``decide`` (one decision) or ``decideBatch``; the model treats one as a batch of one."""
        send = (lambda: self.w.loans.decide_batch(self.send(who), ds)) if batch else \
            (lambda: self.w.loans.decide(self.send(who), ds[0]))
        self.step(lambda r, now: r.decide_batch(who.address, ds, now), send)

    # ---- the loan, as its bank reports it ------------------------------------------------------

    def outstanding(self, app: int) -> int:
        return self.rules.entries[app - 1].loan.outstanding if 1 <= app <= self.rules_count() else 1_000

    @rule(pick=PICK, mode=MODE, amount=MONEY, district=st.sampled_from([YUZHONG, JIANGBEI] * 4 + [0]), by=ACTOR)
    def disburse(self, pick: int, mode: str, amount: str, district: int, by: str) -> None:
        app = self.app(pick, mode, S.APPROVED)
        self.do_disburse(app, amount, district, self.actor(by, app))

    def do_disburse(self, app: int, amount: str, district: int, who: Identity) -> None:
        e = self.rules.entries[app - 1] if 1 <= app <= self.rules_count() else None
        limit = e.decision.limit if e is not None and e.decision is not None else 1_000
        money = how_much(amount, limit)
        self.step(lambda r, now: r.disburse(who.address, app, money, district, now),
                  lambda: self.w.loans.disburse(self.send(who), app, money, district))

    @rule(pick=PICK, mode=MODE, principal=MONEY, interest=st.sampled_from([0]) | st.integers(1, 200_000), by=ACTOR)
    def repay(self, pick: int, mode: str, principal: str, interest: int, by: str) -> None:
        app = self.app(pick, mode, S.DISBURSED, S.OVERDUE)
        self.do_repay(app, principal, interest, self.actor(by, app))

    def do_repay(self, app: int, principal: str, interest: int, who: Identity) -> None:
        money = how_much(principal, self.outstanding(app))
        self.step(lambda r, now: r.repay(who.address, app, money, interest),
                  lambda: self.w.loans.repay(self.send(who), app, money, interest))

    @rule(pick=PICK, mode=MODE, days=st.sampled_from([0, 30, 95]), by=ACTOR)
    def mark_overdue(self, pick: int, mode: str, days: int, by: str) -> None:
        app = self.app(pick, mode, S.DISBURSED, S.OVERDUE)
        self.do_mark_overdue(app, days, self.actor(by, app))

    def do_mark_overdue(self, app: int, days: int, who: Identity) -> None:
        self.step(lambda r, now: r.mark_overdue(who.address, app, days),
                  lambda: self.w.loans.mark_overdue(self.send(who), app, days))

    @rule(pick=PICK, mode=MODE, days=st.sampled_from([91, 91, 120, 0]), by=ACTOR)
    def mark_default(self, pick: int, mode: str, days: int, by: str) -> None:
        app = self.app(pick, mode, S.OVERDUE)
        self.do_mark_default(app, days, self.actor(by, app))

    def do_mark_default(self, app: int, days: int, who: Identity) -> None:
        self.step(lambda r, now: r.mark_default(who.address, app, days, now),
                  lambda: self.w.loans.mark_default(self.send(who), app, days))

    @rule(pick=PICK, mode=MODE, by=ACTOR)
    def claim_compensation(self, pick: int, mode: str, by: str) -> None:
        app = self.app(pick, mode, S.DEFAULTED)
        self.do_claim(app, self.actor(by, app))

    def do_claim(self, app: int, who: Identity) -> None:
        before = self.rules
        self.step(lambda r, now: r.claim_compensation(who.address, app, now),
                  lambda: self.w.loans.claim_compensation(self.send(who), app))
        if self.rules is not before:
            self.check_claim(app, before)

    @rule(pick=PICK, mode=MODE, amount=MONEY, by=ACTOR)
    def recover(self, pick: int, mode: str, amount: str, by: str) -> None:
        app = self.app(pick, mode, S.DEFAULTED, S.COMPENSATED)
        self.do_recover(app, amount, self.actor(by, app))

    def do_recover(self, app: int, amount: str, who: Identity) -> None:
        money = how_much(amount, self.outstanding(app))
        self.step(lambda r, now: r.recover(who.address, app, money),
                  lambda: self.w.loans.recover(self.send(who), app, money))

    @rule(pick=PICK, mode=MODE, by=ACTOR)
    def write_off(self, pick: int, mode: str, by: str) -> None:
        app = self.app(pick, mode, S.DEFAULTED, S.COMPENSATED)
        self.do_write_off(app, self.actor(by, app))

    def do_write_off(self, app: int, who: Identity) -> None:
        self.step(lambda r, now: r.write_off(who.address, app), lambda: self.w.loans.write_off(self.send(who), app))

    @rule(pick=PICK, mode=MODE, by=ACTOR)
    def close(self, pick: int, mode: str, by: str) -> None:
        app = self.app(pick, mode, *S)  # half the statuses may close: any loan will do
        self.do_close(app, self.actor(by, app))

    def do_close(self, app: int, who: Identity) -> None:
        self.step(lambda r, now: r.close(who.address, app), lambda: self.w.loans.close(self.send(who), app))

    @rule(pick=PICK, moves=st.lists(st.tuples(st.integers(0, 3), MONEY, st.integers(0, 200_000)), min_size=3,
                                     max_size=8))
    def progress(self, pick: int, moves: list[tuple[int, str, int]]) -> None:
        """A loan's next few ordinary steps, by its own bank (or by oracles that agree), so that examples
        reach default, compensation and recovery; each step is checked like any other."""
        live = [i + 1 for i, e in enumerate(self.rules.entries) if self.may_move(e)]
        if live:
            app = live[pick % len(live)]
            self.touched.add(app)
            for choice, amount, interest in moves:
                self.move(app, choice, amount, interest)

    def may_move(self, e: Entry) -> bool:
        """Not final, and if still undecided, with an oracle left to vote."""
        undecided = e.loan.status is S.APPLIED
        return e.loan.status not in (S.DECLINED, S.CLOSED) and not (undecided and len(e.voted) == 3)

    def move(self, app: int, choice: int, amount: str, interest: int) -> None:
        status, own = self.rules.entries[app - 1].loan.status, self.actor("own", app)
        if status is S.APPLIED:
            self.agree(app, approve=choice > 0 and self.rules.entries[app - 1].subject not in self.rules.sanctioned)
        elif status is S.APPROVED:
            self.do_disburse(app, amount, (YUZHONG, JIANGBEI)[choice % 2], own)
        elif status in (S.DISBURSED, S.OVERDUE) and choice < 2:
            self.do_repay(app, amount, interest, own) if choice else self.do_mark_overdue(app, 0, own)
        elif status is S.DISBURSED:
            self.do_mark_overdue(app, 30, own)
        elif status is S.OVERDUE:
            self.do_mark_default(app, 91, own)
        elif status is S.DEFAULTED:
            self.do_recover(app, amount, own) if choice == 0 else self.do_claim(app, own)
        elif status is S.COMPENSATED and choice < 3:
            self.do_recover(app, amount, own) if choice < 2 else self.do_write_off(app, own)
        else:
            self.do_close(app, own)

    def agree(self, app: int, approve: bool) -> None:
        """Oracles that have not voted second the first proposal (or a fresh one) until the quorum."""
        e = self.rules.entries[app - 1]
        first = next(iter(e.proposals.values()), None)
        d = first or Decision(app, approve, e.amount if approve else 0, 450, 21_000, 612, self.w.model_id,
                              hashlib.sha256(str(next(self.hashes)).encode()).hexdigest())
        for oracle in (o for o in self.w.oracles if o.address not in e.voted):
            self.cast(oracle, [d])
            if self.rules.entries[app - 1].loan.status is not S.APPLIED:
                return

    # ---- after every step ----------------------------------------------------------------------

    @invariant()
    def contract_and_model_agree(self) -> None:
        """After a change, the views it may have touched (a refused call sends nothing: the sender estimates
        gas first). The pools' and commitments' figures only grow, so a change the model missed would
        still show in :meth:`teardown`, which compares everything."""
        if self.before is None:
            return
        before, self.before, r = self.before, None, self.rules
        assert self.w.loans.application_count() == len(r.entries)
        if r.policies != before.policies:
            self.compare_policies()
        self.compare_pools(p for p in POOLS if r.pool(p) != before.pool(p))
        self.compare_committed(k for k, v in r.committed.items() if v != before.committed.get(k))
        for app in sorted(a for a in self.touched if 1 <= a <= len(r.entries)):
            self.compare(app)
        self.touched.clear()

    def compare_policies(self) -> None:
        loans, r = self.w.loans, self.rules
        assert loans.policy_version() == len(r.policies) and loans.quorum() == r.quorum()
        assert [loans.policy(v) for v in range(1, len(r.policies) + 1)] == r.policies

    def compare_pools(self, pools: Iterable[int]) -> None:
        for pool in pools:
            view = self.w.loans.pool(pool)
            assert view == self.rules.pool(pool).view(), f"pool {pool}"
            balanced(view)

    def compare_committed(self, keys: Iterable[tuple[str, int]]) -> None:
        for bank, year in keys:
            assert self.w.loans.committed(bank, year) == self.rules.committed.get((bank, year), 0), (bank, year)

    def years(self) -> tuple[int, int]:
        year = datetime.fromtimestamp(self.ready.start, UTC).year
        return year, year + 1

    def compare(self, app: int) -> None:
        e = self.rules.entries[app - 1]
        loan, claim = self.w.loans.loan(app), self.w.loans.claim(app)
        assert loan == e.loan.view(), f"loan {app}"
        assert claim == e.claim.view(), f"claim {app}"
        if loan.status in (S.APPROVED, S.DECLINED):  # only _finalise writes a decision, from APPLIED
            assert self.w.loans.decision(app) == e.decision
        conserved(loan)
        if loan.policy_version:
            within_shares(claim, self.rules.policy(loan.policy_version))

    @invariant()
    def pools_conserve_money(self) -> None:
        """In the model after every step (and on chain wherever a pool is compared)."""
        for pool in POOLS:
            balanced(self.rules.pool(pool).view())

    def check_claim(self, app: int, before: Rules) -> None:
        """A claim pays no pool more than it held, and commits no more than the bank's yearly cap allows."""
        e = self.rules.entries[app - 1]
        c, p = e.claim, self.rules.policy(e.loan.policy_version)
        assert c.municipal_paid <= before.pool(0).balance and c.district_paid <= before.pool(e.loan.district).balance
        for key, total in self.rules.committed.items():
            was = before.committed.get(key, 0)
            assert total == was or total <= max(was, p.bank_year_cap), f"{key}: {was} -> {total} under {p}"

    def teardown(self) -> None:
        self.compare_policies()
        self.compare_pools(POOLS)
        self.compare_committed(itertools.product((b.address for b in self.w.banks), self.years()))
        for app in range(1, len(self.rules.entries) + 1):
            self.compare(app)


def how_much(kind: str, allowed: int) -> int:
    return {"all": allowed, "part": allowed // 3 + 1, "zero": 0, "over": allowed + 1}[kind]


def balanced(pool: Pool) -> None:
    """Every fen a pool received (deposits, recoveries shared back) was paid out or is still there."""
    assert pool.deposits + pool.returned == pool.paid + pool.balance, f"{pool}"


def conserved(loan: Loan) -> None:
    """Every fen disbursed is repaid, recovered, still owed or written off."""
    parts = loan.repaid_principal + loan.recovered + loan.outstanding + loan.written_off
    assert loan.principal == parts, f"{loan}"


def within_shares(c: Claim, p: Policy) -> None:
    """The pools together owe at most the policy's shares of the loss and the loan cap, each pool at most its
    own share; they pay at most what they owe and get back at most what they paid, all of it once the whole
    loss is recovered."""
    m, d = c.loss * p.municipal_bps // WHOLE, c.loss * p.district_bps // WHOLE
    assert c.municipal_due + c.district_due <= min(m + d, p.loan_cap), f"{c} under {p}"
    assert c.municipal_due <= m and c.district_due <= d, f"{c} under {p}"
    assert c.municipal_paid <= c.municipal_due and c.district_paid <= c.district_due, f"{c}"
    assert c.municipal_returned <= c.municipal_paid and c.district_returned <= c.district_paid, f"{c}"
    if c.loss and c.recovered_after == c.loss:
        assert (c.municipal_returned, c.district_returned) == (c.municipal_paid, c.district_paid), f"{c}"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tester"], indirect=True)  # the model is the reference, not the node
def test_random_use_keeps_the_contracts_and_the_model_in_step(ready: Ready) -> None:
    run_state_machine_as_test(lambda: LoanMachine(ready), settings=SETTINGS)
