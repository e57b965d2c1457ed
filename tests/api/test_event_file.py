"""The event file of ``log append`` read in blocks, by one process or several: the same events, the same errors."""

from __future__ import annotations

import json
import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from api import ApiError
from api.cli import event_file
from api.cli.event_file import EventFile
from ledger.provenance.merkle import leaf_hash


def line(i: int, purpose: str = "credit-assessment") -> str:
    return json.dumps({"action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{i:064x}", "assets": [],
                       "purpose": purpose, "consent": None, "request_id": f"req-{i}", "time": "2026-11-30T09:00:00Z"})


def read(file: Path, workers: int) -> tuple[list[event_file.Chunk], list[str], int]:
    events, seen = EventFile(file, workers), []
    chunks = list(events.chunks(size=7, progress=seen.append))
    return chunks, events.errors, sum(seen)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_file, "BLOCK", 700)  # a few lines a block, some cut mid-line by the read


def test_several_processes_read_what_one_reads(tmp_path: Path) -> None:
    file = tmp_path / "events.jsonl"
    file.write_text("".join(line(i) + ("\n\n" if i % 7 == 0 else "\r\n" if i % 5 == 0 else "\n") for i in range(300)))
    serial, parallel = read(file, 1), read(file, 2)
    assert serial == parallel
    chunks, errors, progress = serial
    assert errors == [] and progress == file.stat().st_size
    assert [len(bodies) for bodies, _ in chunks] == [7] * 42 + [6]
    assert all(leaves == [leaf_hash(b) for b in bodies] for bodies, leaves in chunks)
    assert [json.loads(b)["request_id"] for bodies, _ in chunks for b in bodies] == [f"req-{i}" for i in range(300)]


def test_bad_lines_are_named_by_their_line_number_whichever_block_they_are_in(tmp_path: Path) -> None:
    lines = [line(i) for i in range(200)]
    lines[3], lines[150] = "{not json", line(150, purpose="call 13912345678")
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(lines))  # and no newline at the end
    for workers in (1, 2):
        events = EventFile(file, workers)
        assert list(events.chunks(size=7)) == []  # nothing after the first bad line; the first comes before a chunk
        with pytest.raises(ApiError) as refused:
            events.refuse_if_bad()
        message = str(refused.value)
        assert "2 malformed line(s); nothing was appended" in message
        assert "line 4: not JSON" in message and "line 151: purpose carries a mobile number" in message


def test_a_validating_process_that_dies_fails_the_append_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = event_file.canonical_line

    def dies_on_line_99(raw: bytes) -> bytes:
        if b'"req-99"' in raw:
            os._exit(9)  # as SIGKILL would: no exception, no clean-up
        return original(raw)

    monkeypatch.setattr(event_file, "canonical_line", dies_on_line_99)  # the workers are forked: they inherit it
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(line(i) for i in range(200)))
    with pytest.raises(ApiError, match="a validating process died; nothing was appended"):
        list(EventFile(file, 2).chunks())


def test_a_pool_that_breaks_before_a_submit_fails_the_append_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the pool knows a worker died, ``submit`` raises too, not only ``result``: under pytest-xdist's timing
    the test above met that path and saw a BrokenProcessPool traceback instead of the one-line error."""
    submitted = 0
    real_submit = event_file.ProcessPoolExecutor.submit

    def breaks_on_the_third(pool: Any, *args: Any) -> Any:
        nonlocal submitted
        submitted += 1
        if submitted == 3:
            raise BrokenProcessPool("a child process terminated abruptly")
        return real_submit(pool, *args)

    monkeypatch.setattr(event_file.ProcessPoolExecutor, "submit", breaks_on_the_third)
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(line(i) for i in range(200)))
    with pytest.raises(ApiError, match="a validating process died; nothing was appended"):
        list(EventFile(file, 2).chunks())
