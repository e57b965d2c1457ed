"""Jobs: progress while running, the result or the error's problem at the end, and a restart that
reads a job it was running as interrupted."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from api.http.jobs import Jobs, Progress
from ledger.errors import ChainError
from ledger.migrations import open_engine


def finished(jobs: Jobs, job_id: str) -> str:
    deadline = time.monotonic() + 10
    while (state := jobs.get(job_id).state) in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.02)
    return state


def test_a_job_reports_progress_and_its_result(tmp_path: Path) -> None:
    jobs = Jobs(open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))

    def work(progress: Progress) -> dict[str, int]:
        for done in range(1, 4):
            progress(done, 3)
        return {"rows": 3}

    job = jobs.submit("ingest", "0xabc", work)
    assert finished(jobs, job.id) == "succeeded"
    assert (jobs.get(job.id).done, jobs.get(job.id).total, jobs.get(job.id).result) == (3, 3, {"rows": 3})


def test_a_failed_job_keeps_the_problem_the_same_error_gives_a_request(tmp_path: Path) -> None:
    jobs = Jobs(open_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))

    def work(progress: Progress) -> None:
        raise ChainError("the node went away")

    job = jobs.submit("replay", "0xabc", work)
    assert finished(jobs, job.id) == "failed"
    problem = jobs.get(job.id).problem
    assert problem is not None and problem["type"] == "/problems/chain-unavailable"
    assert problem["detail"] == "the node went away"


def test_a_restart_marks_what_was_running_as_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    jobs, release = Jobs(open_engine(url)), threading.Event()
    job = jobs.submit("replay", "0xabc", lambda progress: release.wait(10))
    while jobs.get(job.id).state == "queued":
        time.sleep(0.01)
    assert Jobs(open_engine(url)).get(job.id).state == "interrupted"  # a new server over the same database
    release.set()
