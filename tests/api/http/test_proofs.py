"""What anyone reads of the log over HTTP: the newest anchored checkpoint, an event's inclusion proof,
consistency proofs, the verifier key; the full witness for a signed participant. The answers are the
documents ``credtrace log …`` prints (a witness fetched over HTTP passes ``credtrace log check``), and the
hostile cases answer with their problem: an event that is not there, sizes out of range, no signature."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
from oracle_world import run
from oversight_world import Overseen, overseen

from api.client import ApiClient, ApiProblem
from ledger.provenance.checkpoint import open_note
from ledger.provenance.proof import ConsistencyProof, InclusionProof

__all__ = ["overseen"]


def test_the_checkpoint_is_the_note_log_checkpoint_prints_with_its_size_root_and_anchor(overseen: Overseen) -> None:
    head = httpx.get(f"{overseen.url}/v1/log/checkpoint").json()
    assert head["note"] == run(overseen.twin, "log", "checkpoint")
    vkey = httpx.get(f"{overseen.url}/v1/log/vkey").json()["vkey"]
    name, _, key = vkey.split("+", 2)
    checkpoint = open_note(head["note"], name, base64.b64decode(key)[1:])
    assert (checkpoint.tree_size, "0x" + checkpoint.root.hex()) == (head["tree_size"], head["root"])
    assert head["anchor"]["tx"].startswith("0x") and head["anchor"]["block"] > 0


def test_an_inclusion_proof_by_index_or_leaf_hash_checks_against_the_checkpoint(overseen: Overseen) -> None:
    head = httpx.get(f"{overseen.url}/v1/log/checkpoint").json()
    by_index = httpx.get(f"{overseen.url}/v1/log/proofs/1").json()
    by_hash = httpx.get(f"{overseen.url}/v1/log/proofs/{by_index['leaf_hash']}").json()
    assert by_index == by_hash and "event" not in by_index  # the body needs a signed request
    proof = InclusionProof.from_json(by_index["inclusion"])
    proof.verify(bytes.fromhex(by_index["leaf_hash"][2:]), bytes.fromhex(head["root"][2:]))


def test_a_witness_over_http_is_what_log_prove_prints_and_log_check_verifies(overseen: Overseen) -> None:
    with ApiClient(overseen.url, overseen.key("auditor")) as api:
        [witness] = api.get("/v1/log/witnesses", event=["2"])
    assert witness == json.loads(run(overseen.twin, "log", "prove", "2"))
    saved = overseen.twin.parent / "witness.json"
    saved.write_text(json.dumps(witness))
    assert "ok: event 2 is in the tree of size" in run(overseen.twin, "log", "check", str(saved))
    saved.write_text(json.dumps({**witness, "event": {**witness["event"], "purpose": "edited"}}))
    assert "error:" in run(overseen.twin, "log", "check", str(saved), ok=False)


def test_the_witness_with_the_event_body_needs_a_signature(overseen: Overseen) -> None:
    answer = httpx.get(f"{overseen.url}/v1/log/witnesses", params={"event": "2"})
    assert answer.status_code == 401 and answer.json()["type"] == "/problems/signature-missing"


def test_a_proof_for_an_event_that_does_not_exist_is_a_404(overseen: Overseen) -> None:
    for missing in ("999999", "ab" * 32):
        answer = httpx.get(f"{overseen.url}/v1/log/proofs/{missing}")
        assert answer.status_code == 404 and answer.json()["type"] == "/problems/not-found", answer.text
    with ApiClient(overseen.url, overseen.key("auditor")) as api, pytest.raises(ApiProblem) as refused:
        api.get("/v1/log/witnesses", event=["1", "999999"])
    assert refused.value.status == 404


def test_a_consistency_proof_between_two_sizes_verifies_and_sizes_out_of_range_are_refused(
        overseen: Overseen) -> None:
    head = httpx.get(f"{overseen.url}/v1/log/checkpoint").json()
    size = head["tree_size"]
    answer = httpx.get(f"{overseen.url}/v1/log/consistency", params={"old": 1, "new": size}).json()
    assert answer == json.loads(run(overseen.twin, "log", "consistency", "1", str(size)))
    ConsistencyProof.from_json(answer)
    for old, new in ((size, 1), (0, size + 1)):
        refused = httpx.get(f"{overseen.url}/v1/log/consistency", params={"old": old, "new": new})
        assert refused.status_code == 400 and refused.json()["type"] == "/problems/bad-request"
        assert f"<= {size}" in refused.json()["detail"]
    negative = httpx.get(f"{overseen.url}/v1/log/consistency", params={"old": -1, "new": 2})
    assert negative.status_code == 422 and negative.json()["type"] == "/problems/invalid-request"


def test_log_commands_with_api_print_what_they_print_locally(overseen: Overseen, tmp_path: Path) -> None:
    for command in (("checkpoint",), ("checkpoint", "--vkey"), ("prove", "0", "3"), ("prove", "3"),
                    ("consistency", "2", "3")):
        assert run(overseen.twin, "log", *command, "--api", overseen.url) == run(overseen.twin, "log", *command)
    api = ("--api", overseen.url)
    assert "no event 999999" in run(overseen.twin, "log", "prove", "999999", *api, ok=False)
