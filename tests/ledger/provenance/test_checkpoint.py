"""Checkpoints are C2SP signed notes that other implementations accept, not only ours.

Two outside judges: the known-answer vector of Go's golang.org/x/mod/sumdb/note (a signing key, a
text and the exact signature line Go produces), and a note verifier written here from the text of
c2sp.org/signed-note and c2sp.org/tlog-checkpoint alone, sharing no code with ``ledger``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from nacl.signing import SigningKey, VerifyKey
from provenance_world import World, build, event

from ledger.chain.backends.tester import EthTesterChain
from ledger.errors import VerificationError
from ledger.provenance.checkpoint import Checkpoint, key_id, open_note, verifier_key
from ledger.provenance.witness import prove

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="


def spec_open(note: str, vkey: str) -> tuple[str, int, bytes]:
    """(origin, tree size, root) of a checkpoint note, verified as the C2SP texts say, or ValueError."""
    name, hash_hex, key_b64 = vkey.split("+", 2)
    key = base64.b64decode(key_b64)
    if key[0] != 1 or hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() != hash_hex:
        raise ValueError("verifier key: not Ed25519, or its key hash does not match")
    text, signatures = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2:]
    for line in signatures.splitlines():
        dash, signer, blob = line.split(" ")
        raw = base64.b64decode(blob)
        if dash == "\u2014" and signer == name and raw[:4].hex() == hash_hex:
            VerifyKey(key[1:]).verify(text.encode(), raw[4:])
            origin, size, root, empty = text.split("\n")
            assert empty == "" and str(int(size)) == size
            return origin, int(size), base64.b64decode(root)
    raise ValueError("no signature by the verifier's key")


def test_key_id_verifier_key_and_signature_match_go_sumdb_note() -> None:
    seed = base64.b64decode(GO_SIGNER.split("+", 4)[4])[1:]
    key = SigningKey(seed)
    public = bytes(key.verify_key)
    assert verifier_key("PeterNeumann", public) == GO_VERIFIER
    assert base64.b64encode(key_id("PeterNeumann", public) + key.sign(GO_TEXT.encode()).signature).decode() \
        == GO_SIGNATURE


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build(EthTesterChain(), f"sqlite:///{tmp_path / 'log.sqlite'}")
    w.sequencer.append([event(i) for i in range(11)])
    w.sequencer.catch_up()
    yield w
    w.sequencer.close()
    w.store.engine.dispose()


def test_the_operators_checkpoint_verifies_with_a_verifier_written_from_the_spec(world: World) -> None:
    note = prove(world.store, "3", world.witness_check())["checkpoint"]
    head = world.store.checkpoints()[-1]
    vkey = verifier_key(world.log.origin, bytes(world.key.verify_key))
    assert spec_open(note, vkey) == (world.log.origin, 11, head.root)
    assert world.log.origin.startswith("credtrace/provenance/") and note.startswith(world.log.origin + "\n11\n")


def test_signatures_by_other_keys_are_skipped_and_a_note_without_ours_is_refused(world: World) -> None:
    head = Checkpoint("example.org/log", 11, world.store.checkpoints()[-1].root)
    public = bytes(world.key.verify_key)
    note = head.note(head.sign(world.key), public)
    other = SigningKey.generate()
    cosigned = note + f"\u2014 witness.example {base64.b64encode(bytes(4) + bytes(64)).decode()}\n"
    assert open_note(cosigned, "example.org/log", public) == head
    with pytest.raises(VerificationError, match="no signature by"):
        open_note(note, "example.org/log", bytes(other.verify_key))
    forged = head.note(head.sign(other), public)  # our key id, another key's signature
    with pytest.raises(VerificationError, match="does not verify"):
        open_note(forged, "example.org/log", public)


@pytest.mark.parametrize(("text", "message"), [
    ("example.org/log\n011\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "leading zeros"),
    ("example.org/log\n11\nAAAA\n", "32-byte hash"),
    ("example.org/log\n11\n" + "A" * 43 + "=\nextension\n", "exactly three lines"),
    ("example org\n11\n" + "A" * 43 + "=\n", "space"),
    ("example.org/log\n-1\n" + "A" * 43 + "=\n", "decimal"),
])
def test_a_malformed_checkpoint_is_named(text: str, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        Checkpoint.parse(text)
