"""The event file of ``log append`` read in blocks, by one process or several: the same spool, the same errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from api import ApiError
from api.cli import event_file
from ledger.provenance.merkle import leaf_hash


def line(i: int, purpose: str = "credit-assessment") -> str:
    return json.dumps({"action": "ACCESS", "actor": "0x" + "ab" * 20, "subject": f"{i:064x}", "assets": [],
                       "purpose": purpose, "consent": None, "request_id": f"req-{i}", "time": "2026-11-30T09:00:00Z"})


def spool_of(file: Path, workers: int) -> tuple[str, int, bytes, list[tuple[list[bytes], list[bytes]]]]:
    with event_file.spooled(file, workers) as spool:
        return spool.key, spool.count, spool.path.read_bytes(), list(spool.chunks(size=7))


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_file, "BLOCK", 700)  # a few lines a block, some cut mid-line by the read


def test_several_processes_write_the_spool_one_writes(tmp_path: Path) -> None:
    file = tmp_path / "events.jsonl"
    file.write_text("".join(line(i) + ("\n\n" if i % 7 == 0 else "\r\n" if i % 5 == 0 else "\n") for i in range(300)))
    serial, parallel = spool_of(file, 1), spool_of(file, 2)
    assert serial == parallel
    assert serial[1] == 300 and serial[2].count(b"\n") == 300
    chunks = serial[3]
    assert [len(bodies) for bodies, _ in chunks] == [7] * 42 + [6]
    assert all(leaves == [leaf_hash(b) for b in bodies] for bodies, leaves in chunks)
    assert b"".join(b + b"\n" for bodies, _ in chunks for b in bodies) == serial[2]


def test_bad_lines_are_named_by_their_line_number_whichever_block_they_are_in(tmp_path: Path) -> None:
    lines = [line(i) for i in range(200)]
    lines[3], lines[150] = "{not json", line(150, purpose="call 13912345678")
    file = tmp_path / "events.jsonl"
    file.write_text("\n".join(lines))  # and no newline at the end
    for workers in (1, 2):
        with pytest.raises(ApiError) as refused:
            spool_of(file, workers)
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
        spool_of(file, 2)
