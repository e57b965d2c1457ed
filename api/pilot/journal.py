"""The pilot's journal: what ``credtrace pilot run`` has finished, kept in the database (migration 0016).

A stage is journaled only after all its work is on chain and in the log, so ``--resume`` redoes at most
the stage a crash interrupted; each stage makes its own work idempotent (it looks at the chain before it
acts). Each step also records the blocks and log events it spans, which is how the evaluation report puts
chain events and log events into the pilot's months (the pilot's months are also the chain's calendar,
:mod:`api.pilot.calendar`, but the steps need no timestamps: a stage's blocks are its month's).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from api import ApiError
from api.platform import now_iso

RUN = "pilot"
STAGES = ("ingestion", "consent", "applications", "decisions", "loan-events", "oversight", "model", "sealing")
"""A month's stages, in the order they run."""

RUNS = sa.Table(
    "pilot_runs", sa.MetaData(),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("started", sa.String(40), nullable=False),
    sa.Column("finished", sa.String(40), nullable=True),
)
STEPS = sa.Table(
    "pilot_steps", sa.MetaData(),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("stage", sa.String(24), primary_key=True),
    sa.Column("first_block", sa.BigInteger, nullable=False),
    sa.Column("last_block", sa.BigInteger, nullable=False),
    sa.Column("log_from", sa.BigInteger, nullable=False),
    sa.Column("log_to", sa.BigInteger, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("done_at", sa.String(40), nullable=False),
)


@dataclass(frozen=True)
class Params:
    """What a run was asked for; a resumed run must be asked for the same."""

    enterprises: int
    months: int
    banks: int
    seed: int
    start: str = "2024-01"


@dataclass(frozen=True)
class Step:
    """One finished stage of one month: blocks ``first_block..last_block`` and log events
    ``log_from..log_to - 1`` are its work; ``count`` is how many acts it made (rows, consents, …)."""

    period: str
    stage: str
    first_block: int
    last_block: int
    log_from: int
    log_to: int
    count: int
    seconds: float


class Journal:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def params(self) -> Params | None:
        with self.engine.connect() as db:
            text = db.execute(sa.select(RUNS.c.params).where(RUNS.c.name == RUN)).scalar()
        return None if text is None else Params(**json.loads(text))

    def begin(self, params: Params, resume: bool) -> None:
        """Start a run, or with ``resume`` go on with the one begun with the same ``params``."""
        found = self.params()
        if found is None:
            with self.engine.begin() as db:
                db.execute(RUNS.insert().values(name=RUN, params=json.dumps(asdict(params)), started=now_iso()))
        elif not resume:
            raise ApiError("a pilot has already run in this home: give --resume to go on with it, or a new --home")
        elif found != params:
            raise ApiError(f"--resume must be given the run's own parameters: it was begun with {found}")

    def done(self, period: str, stage: str) -> bool:
        with self.engine.connect() as db:
            return db.execute(sa.select(STEPS.c.stage).where(STEPS.c.period == period,
                                                             STEPS.c.stage == stage)).first() is not None

    def record(self, step: Step) -> None:
        with self.engine.begin() as db:
            db.execute(STEPS.insert().values(**asdict(step), done_at=now_iso()))

    def steps(self) -> list[Step]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(*[STEPS.c[f] for f in Step.__dataclass_fields__])
                              .order_by(STEPS.c.first_block, STEPS.c.log_from)).all()
        return [Step(*row) for row in rows]

    def finish(self) -> None:
        with self.engine.begin() as db:
            db.execute(RUNS.update().where(RUNS.c.name == RUN).values(finished=now_iso()))

    def finished(self) -> bool:
        with self.engine.connect() as db:
            return db.execute(sa.select(RUNS.c.finished).where(RUNS.c.name == RUN)).scalar() is not None
