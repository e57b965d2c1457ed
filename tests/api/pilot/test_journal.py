"""The pilot's journal: a run begins once, resumes only with its own parameters, and keeps each finished
stage with the blocks and log events it spans."""

from __future__ import annotations

import pytest

from api import ApiError
from api.pilot.journal import Journal, Params, Step
from ledger.migrations import open_engine

PARAMS = Params(enterprises=200, months=12, banks=3, seed=7)


def test_a_run_resumes_only_with_its_own_parameters_and_keeps_its_steps_in_chain_order(db_url: str) -> None:
    journal = Journal(open_engine(db_url))
    assert journal.params() is None and not journal.finished()
    journal.begin(PARAMS, resume=False)
    later = Step("2024-02", "consent", 30, 35, 90, 99, 4, 0.5)
    earlier = Step("2024-01", "ingestion", 1, 29, 0, 90, 9, 2.0)
    journal.record(later)
    journal.record(earlier)
    with pytest.raises(ApiError, match="--resume"):
        journal.begin(PARAMS, resume=False)
    with pytest.raises(ApiError, match="run's own parameters"):
        journal.begin(Params(enterprises=200, months=12, banks=3, seed=8), resume=True)
    journal.begin(PARAMS, resume=True)
    assert journal.params() == PARAMS and journal.steps() == [earlier, later]
    assert journal.done("2024-01", "ingestion") and not journal.done("2024-01", "consent")
    journal.finish()
    assert journal.finished()
