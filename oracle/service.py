"""The oracle service: follows ``Applied`` events and decides each application exactly once.

For each application past the cursor (``oracle.cursor``), in batches of up to N:

1. the served model must be servable on chain (else a DENIED event and :class:`ModelNotServable`: the
   oracle decides nothing); a sanctioned subject is declined ``SANCTIONED`` without a read;
2. the enterprise's data is read through the access gate by pseudonym, for the applying bank, under the
   consent the application cites (``ACCESS``; a refusal is ``DENIED`` and the application is declined
   with the refusal's reason code, never skipped);
3. the case is opened if no oracle has yet (``oracle.case``: the log sealed and anchored over the reads);
4. the features as of the application's block are stored content-addressed and scored
   (``oracle.pipeline``); the record is signed and stored;
5. the decisions are sent with ``decide`` (one) or ``decideBatch`` (several), then a ``DECISION`` event
   per application names the record hash and this oracle's own gate events; then the cursor moves.

**Exactly once.** Every step is durable before the next and each is redone only if it did not happen:
a stored record is never recomputed (no second read, no second signature); the contract's
``voted(applicationId, oracle)`` says whether the vote was sent, so a restart after sending does not send
again (and a second vote would revert ``AlreadyVoted`` anyway); the ``DECISION`` event is built from the
stored record alone (its time is the record's), so its leaf hash says whether it is already in the log;
the cursor moves last. A kill at any point therefore leaves work that the restart finishes, never work
done twice. An application another oracle quorum finalised before this one voted is passed over.

**Test hook.** ``CREDTRACE_ORACLE_CRASH_AT`` = ``after-read`` | ``after-sign`` | ``after-send`` |
``before-cursor`` makes the process SIGKILL itself at that point; the crash tests use it, nothing else.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from eth_utils.address import to_checksum_address
from sqlalchemy.engine import Engine

from ledger.catalogue.errors import AccessDenied
from ledger.catalogue.gate import AccessGate, AccessRequest
from ledger.chain import Chain, Identity, TransactionSender
from ledger.chain.reads import pinned
from ledger.contracts import ConsentRegistry, ModelRegistry, SanctionsList
from ledger.contracts.loan_ledger import Decision as ChainDecision
from ledger.contracts.loan_ledger import LoanLedger, product_code
from ledger.errors import ContractRevert
from ledger.provenance import Sequencer
from ledger.provenance.event import Action, Event, normalise_time
from ledger.types import LoanStatus
from oracle import pipeline, record, store
from oracle.case import Case, rfc3339
from oracle.cursor import after, position
from oracle.errors import ModelNotServable, VoteMismatch
from oracle.pipeline import Served
from oracle.record import Application, Checkpoint, Reason
from oracle.store import StoredRecord

CRASH_AT = "CREDTRACE_ORACLE_CRASH_AT"
CRASH_POINTS = ("after-read", "after-sign", "after-send", "before-cursor")


def crash_point(point: str) -> None:
    """The crash tests' hook (see the module docstring): SIGKILL this process at ``point`` if asked."""
    if os.environ.get(CRASH_AT) == point:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Wiring:
    """What the oracle acts on: the platform's chain contracts, database, gate and log."""

    chain: Chain
    engine: Engine
    gate: AccessGate
    sequencer: Sequencer
    loans: LoanLedger
    sanctions: SanctionsList
    consents: ConsentRegistry
    models: ModelRegistry


@dataclass
class Pending:
    """An application this pass works on; ``read``: the gate's answer before the record is made."""

    app: Application
    block_time: int
    """The ``Applied`` block's timestamp (chain time)."""
    seen: float
    """When this oracle took it up (its own clock)."""
    row: StoredRecord | None = None
    read: tuple[tuple[int, ...], list[dict[str, Any]] | Reason] | None = None


@dataclass
class Oracle:
    w: Wiring
    me: Identity
    model: Served
    purpose: str
    say: Callable[[str], None]
    clock: Callable[[], float] = time.time
    _times: dict[int, int] = field(default_factory=dict)

    @cached_property
    def _sender(self) -> TransactionSender:
        return TransactionSender(self.w.chain, self.me.account)

    def run_pass(self, batch: int) -> int:
        """Decide every application past the cursor, ``batch`` at a time; how many were handled."""
        self._times = {}
        cursor = store.cursor(self.w.engine, self.me.address)
        logs = after(self.w.loans.contract.event("Applied").get_logs(from_block=max(cursor.block_number, 0)), cursor)
        for chunk in _chunks(logs, max(batch, 1)):
            self._servable()
            self._handle(chunk)
        return len(logs)

    def _servable(self) -> None:
        if self.w.models.is_servable(self.model.model_id):
            return
        why = f"model {self.model.model_id[:12]} is not servable (retired or never approved): nothing decided"
        self.w.sequencer.append([Event(Action.DENIED, self.me.address, None, (), self.purpose, None,
                                       "oracle serving model", _now(), reason=why)])
        raise ModelNotServable(why)

    def _handle(self, chunk: Sequence[Mapping[str, Any]]) -> None:
        with pinned(self.w.chain) as block:  # one block's state for the chunk: each look-up made once
            moved = self.w.loans.statuses(since=min(int(log["blockNumber"]) for log in chunk), until=block)
            work = [p for log in chunk if (p := self._pending(log, moved)) is not None]
            fresh = [p for p in work if p.row is None]
            for p in fresh:
                p.read = self._read(p.app)
        if fresh:
            crash_point("after-read")
            self._sign(fresh)
            crash_point("after-sign")
        unsent = [p for p in work if p.read is not None or self._unsent(p)]  # fresh: checked in _pending
        sent = {p.app.application_id for p in self._send_all(unsent)}
        self._log_decisions(work, sent)
        crash_point("before-cursor")
        store.move_cursor(self.w.engine, self.me.address, position(chunk[-1]))

    def _pending(self, log: Mapping[str, Any], moved: Mapping[int, LoanStatus]) -> Pending | None:
        """``moved``: the statuses that changed since the chunk's first block (each application's among them)."""
        app = self._application(log)
        row = store.stored_record(self.w.engine, app.application_id, self.me.address)
        if row is None and moved.get(app.application_id, LoanStatus.APPLIED) is not LoanStatus.APPLIED:
            self.say(f"application {app.application_id}: {moved[app.application_id].name} without this oracle; "
                     "passed over")
            return None
        return Pending(app, self._block_time(int(log["blockNumber"])), self.clock(), row)

    def _block_time(self, number: int) -> int:
        """A block's timestamp (chain time), asked once a pass: several applications share a block."""
        if number not in self._times:
            self._times[number] = int(self.w.chain.web3.eth.get_block(number)["timestamp"])
        return self._times[number]

    def _application(self, log: Mapping[str, Any]) -> Application:
        a = log["args"]
        return Application(int(self.w.chain.web3.eth.chain_id), self.w.loans.contract.address,
                           int(a["applicationId"]), str(a["bank"]), bytes(a["subject"]).hex(),
                           bytes(a["consentId"]).hex(), int(a["amount"]), int(a["termMonths"]),
                           product_code(bytes(a["productId"])))

    def _read(self, app: Application) -> tuple[tuple[int, ...], list[dict[str, Any]] | Reason]:
        """(this oracle's gate events, the records or the refusal); a sanctioned subject is not read."""
        if self.w.sanctions.is_sanctioned(app.subject):
            return (), pipeline.SANCTIONED
        consent = self.w.consents.consent(bytes.fromhex(app.consent_id))
        asked = pipeline.datasets(0 if consent is None else int(consent.grant.categories))
        req = AccessRequest(self.me.address, "", asked, self.purpose, f"loan application {app.application_id}",
                            "0x" + app.consent_id, to_checksum_address(app.bank), subject=app.subject)
        try:
            shown = self.w.gate.read(req)
        except AccessDenied as refused:
            return (refused.event_index,), pipeline.refusal(refused.reason)
        return (shown.event_index,), shown.records

    def _sign(self, fresh: Sequence[Pending]) -> None:
        """Open the cases not yet open (one seal and anchor for the chunk), then decide, sign, store."""
        cases = {p.app.application_id: store.case(self.w.engine, p.app.application_id) for p in fresh}
        if None in cases.values():
            self.w.sequencer.seal()
            self.w.sequencer.anchor()
        heads = self.w.sequencer.store.checkpoints()
        newest = Checkpoint(heads[-1].tree_size, heads[-1].root.hex()) if heads else None
        for p in fresh:
            assert p.read is not None
            events, outcome = p.read
            case = cases[p.app.application_id] or store.open_case(
                self.w.engine, Case(p.app.application_id, events, newest if events else None, rfc3339(self.clock()),
                                    self.me.address))
            decision = (pipeline.declined(p.app, self.model, case, outcome) if isinstance(outcome, Reason)
                        else self._scored(p, outcome, case))
            signed = record.sign(decision, p.app, self.me.signing_key, self.me.address)
            p.row = StoredRecord(p.app.application_id, self.me.address, signed, record.record_hash(signed),
                                 events, _now())
            store.store_record(self.w.engine, p.row)

    def _scored(self, p: Pending, records: list[dict[str, Any]], case: Case) -> record.Decision:
        vector = pipeline.features(records, p.block_time)  # the gate shows only rows its schemas validated
        store.store_vector(self.w.engine, *pipeline.vector_bytes(vector))
        return pipeline.scored(p.app, self.model, vector, case)

    def _unsent(self, p: Pending) -> bool:
        assert p.row is not None
        voted = self.w.loans.voted(p.app.application_id, self.me.address)
        if voted is not None and voted != p.row.record_hash:
            raise VoteMismatch(f"application {p.app.application_id}: this oracle voted {voted[:12]}… on chain, "
                               f"its stored record is {p.row.record_hash[:12]}…")
        if voted is not None:  # sent before, with this record's hash
            return False
        status = self.w.loans.loan(p.app.application_id).status
        if status is not LoanStatus.APPLIED:
            self.say(f"application {p.app.application_id}: {status.name} without this oracle's vote; "
                     "its record is kept")
        return status is LoanStatus.APPLIED

    def _send_all(self, unsent: list[Pending]) -> list[Pending]:
        """Send ``unsent`` (fresh records were checked against the chunk's block, not since); if another
        quorum decided one of them meanwhile, the batch reverts whole: look again, send the rest."""
        if not unsent:
            return unsent
        try:
            self._send(unsent)
        except ContractRevert as race:
            left = [p for p in unsent if self._unsent(p)] if race.error == "IllegalTransition" else unsent
            if len(left) == len(unsent):
                raise
            return self._send_all(left)
        return unsent

    def _send(self, unsent: Sequence[Pending]) -> None:
        """Send the votes, then log each application's latency: the chain's time from its ``Applied``
        block to the receipt's block (a devnet's block times run ahead of the wall clock when blocks come
        faster than one a second, so the wall clock is not compared with them), and this oracle's own
        time from taking it up to the receipt."""
        decisions = [_on_chain(p.row) for p in unsent if p.row is not None]
        receipt = (self.w.loans.decide(self._sender, decisions[0]) if len(decisions) == 1
                   else self.w.loans.decide_batch(self._sender, decisions))
        crash_point("after-send")
        now, mined = self.clock(), int(self.w.chain.web3.eth.get_block(receipt["blockNumber"])["timestamp"])
        final = {int(e["args"]["applicationId"]) for e in self.w.loans.contract.events(receipt, "Decided")}
        votes = {} if len(final) == len(decisions) else {  # a quorum above one: say how far each got
            int(e["args"]["applicationId"]): int(e["args"]["votes"])
            for e in self.w.loans.contract.events(receipt, "DecisionSubmitted")}
        for p, d in zip(unsent, decisions, strict=True):
            state = (("APPROVED" if d.approve else "DECLINED") if d.application_id in final
                     else f"vote {votes.get(d.application_id, 0)} of {self.w.loans.quorum()}, not final yet")
            self.say(f"application {d.application_id}: {state}, record {d.record_hash[:12]}…; latency "
                     f"{mined - p.block_time} s from the Applied block to the receipt's (chain time), "
                     f"{now - p.seen:.2f} s in this oracle")

    def _log_decisions(self, work: Sequence[Pending], sent: set[int]) -> None:
        """The DECISION events not yet in the log, appended together."""
        events = [e for p in work if (e := self._decision_event(p, p.app.application_id in sent)) is not None]
        if fresh := [e for e in events if self.w.sequencer.store.find(e.leaf_hash()) is None]:
            self.w.sequencer.append(fresh)

    def _decision_event(self, p: Pending, sent: bool) -> Event | None:
        """The DECISION event, built from the stored record alone (so a restart builds the same bytes).
        A vote this pass ``sent`` was mined with the record's hash (``decide`` reverts otherwise), so only
        a vote sent earlier is read back from the chain."""
        row = p.row
        if row is None or (not sent and self.w.loans.voted(p.app.application_id, self.me.address) != row.record_hash):
            return None
        found = self.w.sequencer.store.events_at(row.access_events)
        assets = tuple(found[i][0].hex() for i in row.access_events)
        predicate = record.opened(row.record)["predicate"]
        gate = ", ".join(str(i) for i in row.access_events) or "none (sanctioned: not read)"
        return Event(Action.DECISION, self.me.address, p.app.subject, assets, self.purpose, "0x" + p.app.consent_id,
                     f"loan application {p.app.application_id}", normalise_time(row.created),
                     outputs=(row.record_hash,),
                     reason=f"{predicate['decision']} application {p.app.application_id}; gate events {gate}")


def _on_chain(row: StoredRecord | None) -> ChainDecision:
    """What ``decide`` carries for a stored record: its predicate's terms and its hash."""
    assert row is not None
    d = record.opened(row.record)["predicate"]
    return ChainDecision(int(d["applicationId"]), d["decision"] == "APPROVE", int(d["limit"]), int(d["rateBps"]),
                         int(d["pdPpm"]), int(d["score"]), str(d["modelId"]), row.record_hash)


def _chunks(items: Sequence[Mapping[str, Any]], size: int) -> Iterator[Sequence[Mapping[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _now() -> str:
    return normalise_time(datetime.now(UTC).isoformat())
