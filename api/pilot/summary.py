"""What a pilot run did, counted from the chain's events and the log (not from the driver's own tally, so
a resumed run's summary is the same as an uninterrupted one's), with each stage's time from the journal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from api.pilot.journal import STAGES, Journal, Params
from api.platform import Platform
from ledger.chain.contract import DeployedContract


@dataclass(frozen=True)
class StageTime:
    """A stage's total over the months: wall seconds, acts made, and the months it ran."""

    seconds: float
    count: int
    months: int

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Summary:
    params: Params
    figures: dict[str, int]
    """Counts by name: see :func:`figures`."""
    stages: dict[str, StageTime] = field(default_factory=dict)
    """Each month stage's totals (:func:`stage_times`)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """The run's other parts: ``generation`` (the world and the plan) and ``replay``."""
    replay_ok: bool = False


def stage_times(journal: Journal) -> dict[str, StageTime]:
    """Each stage's time, acts and months from the journal's steps, in :data:`STAGES` order."""
    seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
    counts: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for step in journal.steps():
        seconds[step.stage] += step.seconds
        counts[step.stage] += step.count
        months[step.stage] += 1
    return {s: StageTime(round(seconds[s], 3), counts[s], months[s]) for s in STAGES}


def figures(p: Platform, models: DeployedContract) -> dict[str, int]:
    """The chain's and the log's counts of what the pilot did (``models``: the ModelRegistry)."""
    loans, n = p.loans.contract, _count
    decided = loans.event("Decided").get_logs(from_block=0)
    approved = sum(bool(log["args"]["approved"]) for log in decided)
    sanctioned = {log["args"]["subject"] for log in p.sanctions.contract.event("Sanctioned").get_logs(from_block=0)}
    declined_sanctioned = sum(1 for a in loans.event("Applied").get_logs(from_block=0)
                              if a["args"]["subject"] in sanctioned
                              and p.loans.loan(int(a["args"]["applicationId"])).status.name == "DECLINED")
    return {
        "applications": p.loans.application_count(), "approved": approved, "declined": len(decided) - approved,
        "disbursed": n(loans, "Disbursed"), "repayments": n(loans, "Repaid"), "overdue": n(loans, "MarkedOverdue"),
        "defaults": n(loans, "Defaulted"), "claims": n(loans, "Compensated"), "recoveries": n(loans, "Recovered"),
        "subsidies": n(loans, "Subsidised"), "closed": _closed(p), "sanctioned_declines": declined_sanctioned,
        "models_approved": n(models, "ModelApproved"), "models_retired": n(models, "ModelRetired"),
        "banks_exited": sum(1 for x in p.registry.participants() if x.status.name == "EXITED"),
        "events": p.sequencer.store.size(), "checkpoints": len(p.sequencer.store.checkpoints()),
        "blocks": int(p.chain.web3.eth.block_number),
    }


def _count(contract: DeployedContract, name: str) -> int:
    return len(contract.event(name).get_logs(from_block=0))


def _closed(p: Platform) -> int:
    return sum(1 for s in p.loans.statuses().values() if s.name == "CLOSED")


def summarise(p: Platform, models: DeployedContract, journal: Journal, params: Params, seconds: dict[str, float],
              replay_ok: bool) -> Summary:
    return Summary(params, figures(p, models), stage_times(journal), {k: round(v, 3) for k, v in seconds.items()},
                   replay_ok)
