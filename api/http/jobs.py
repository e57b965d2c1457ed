"""Long work (a big ingestion, a replay) as a job: accepted at once (202 with a ``Location``), run on
a thread of the server, its state a resource (``GET /v1/jobs/{id}``) kept in the database, so a
restart loses none: a job the server was running when it stopped reads ``interrupted`` and can be
submitted again (the work itself is idempotent where it writes: batches by key, replay reads only).

States: ``queued`` → ``running`` (with ``done``/``total`` progress) → ``succeeded`` (``result``) or
``failed`` (``problem``: the RFC 9457 document the same error gives in a request) or ``interrupted``.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from api.http.problems import of_error
from api.platform import now_iso

JOBS = sa.Table(
    "http_jobs", sa.MetaData(),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("owner", sa.String(42), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("done", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=True),
    sa.Column("result", sa.Text, nullable=True),
    sa.Column("problem", sa.Text, nullable=True),
    sa.Column("created", sa.String(40), nullable=False),
    sa.Column("updated", sa.String(40), nullable=False),
)
Progress = Callable[[int, int | None], None]
Work = Callable[[Progress], Any]
"""A job's body: reports (done, total) as it goes and returns a JSON-able result."""


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    owner: str
    state: str
    done: int
    total: int | None
    result: Any
    problem: dict[str, Any] | None
    created: str
    updated: str


class Jobs:
    """The server's jobs: one worker thread runs them in order of submission."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credtrace-job")
        self._lock = threading.Lock()
        with engine.begin() as conn:  # what a previous server left running did not finish
            conn.execute(JOBS.update().where(JOBS.c.state.in_(("queued", "running")))
                         .values(state="interrupted", updated=now_iso()))

    def submit(self, kind: str, owner: str, work: Work) -> Job:
        job_id, now = uuid.uuid4().hex, now_iso()
        with self._engine.begin() as conn:
            conn.execute(JOBS.insert().values(id=job_id, kind=kind, owner=owner, state="queued", done=0,
                                              created=now, updated=now))
        self._pool.submit(self._run, job_id, work)
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        """The job; KeyError if there is none by that id."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(JOBS).where(JOBS.c.id == job_id)).one_or_none()
        if row is None:
            raise KeyError(job_id)
        return Job(row.id, row.kind, row.owner, row.state, row.done, row.total,
                   json.loads(row.result) if row.result else None,
                   json.loads(row.problem) if row.problem else None, row.created, row.updated)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job_id: str, work: Work) -> None:
        self._set(job_id, state="running")
        try:
            result = work(lambda done, total: self._set(job_id, done=done, total=total))
        except Exception as exc:  # the job's answer, as the same error would be in a request
            kind = of_error(exc)
            problem = {"type": kind.uri, "title": kind.title, "status": kind.status, "detail": str(exc)}
            self._set(job_id, state="failed", problem=json.dumps(problem))
            return
        self._set(job_id, state="succeeded", result=json.dumps(result))

    def _set(self, job_id: str, **values: Any) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(JOBS.update().where(JOBS.c.id == job_id).values(updated=now_iso(), **values))
