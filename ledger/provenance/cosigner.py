"""Witnesses that cosign checkpoints only when they extend what they cosigned before (C2SP tlog-witness).

The operator keeps the log and, on one machine, the chain too, so the anchor alone cannot stop an
operator who restores an old copy of both, appends a different history and anchors it: that gives a
second head of a size already seen, validly signed and anchored. A witness — a regulator's or an
auditor's process, its state in its own home — keeps the last checkpoint it cosigned and refuses to
go back: it cosigns a checkpoint only if it is that one, or if a consistency proof (RFC 9162 §2.1.4)
shows it extends it. Two signed heads of one size with different roots are equivocation, named with
both roots; anyone holding the witness's saved note (:class:`WitnessState`) can show it.

A cosignature is a C2SP tlog-cosignature line (:func:`~ledger.provenance.checkpoint.cosign`) by the
key the witness has registered on chain, under the name ``credtrace/witness/<its account>``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ledger.errors import VerificationError
from ledger.provenance.checkpoint import Checkpoint, cosigned_at, open_note
from ledger.provenance.proof import verify_consistency


class Refusal(VerificationError):
    """A checkpoint a witness will not cosign; the message names both heads."""


def cosigner_name(account: str) -> str:
    """A witness's key name in signature lines: its account, which the registry binds to its key."""
    return f"credtrace/witness/{account.lower()}"


def describe(head: Checkpoint) -> str:
    return f"size {head.tree_size} (root {base64.b64encode(head.root).decode()})"


def check_extends(last: Checkpoint | None, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Refusal unless ``new`` extends ``last``, the checkpoint last cosigned (None: nothing yet)."""
    if last is None:
        return
    if last.origin != new.origin:
        raise Refusal(f"checkpoint of {new.origin} is not of the log last cosigned, {last.origin}")
    if new.tree_size == last.tree_size and new.root != last.root:
        raise Refusal(f"equivocation: two signed heads of size {new.tree_size}: the one cosigned before, "
                      f"{describe(last)}, and this one, {describe(new)}")
    if new.tree_size < last.tree_size:
        raise Refusal(f"the log went back: {describe(new)} is older than {describe(last)}, cosigned before")
    try:
        verify_consistency(last.tree_size, new.tree_size, last.root, new.root, proof)
    except VerificationError as exc:
        raise Refusal(f"{describe(new)} does not extend {describe(last)}, cosigned before: {exc}") from exc


class WitnessState:
    """The last note a witness cosigned for each log, one file per origin in its own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, origin: str) -> Path:
        return self.folder / f"{hashlib.sha256(origin.encode()).hexdigest()[:16]}.checkpoint"

    def last(self, origin: str) -> Checkpoint | None:
        path = self.path(origin)
        if not path.exists():
            return None
        return Checkpoint.stated_in(path.read_text(encoding="utf-8"))

    def record(self, origin: str, note: str) -> None:
        """Replace the saved note: written to a temporary, flushed, then renamed over the old one."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path, temporary = self.path(origin), self.path(origin).with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            out.write(note)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)


def same_head(ours: Checkpoint, kept: str, public_key: bytes) -> None:
    """Refusal if ``kept``, a note signed with ``public_key`` by the same log, states ``ours``'s size
    with another root: two signed heads of one size are equivocation. Other sizes say nothing here."""
    theirs = open_note(kept, ours.origin, public_key)
    if ours.tree_size == theirs.tree_size and ours.root != theirs.root:
        raise Refusal(f"equivocation: two signed heads of size {ours.tree_size}: the one kept, {describe(theirs)}, "
                      f"and this one, {describe(ours)}")


def cosigners(note: str, checkpoint: Checkpoint, witnesses: Iterable[tuple[str, bytes]]) -> list[str]:
    """The accounts among ``witnesses`` (account, registered Ed25519 key) whose cosignature of
    ``checkpoint`` the note carries and verifies."""
    return [account for account, key in witnesses
            if cosigned_at(note, checkpoint, cosigner_name(account), key) is not None]


def require_cosignatures(note: str, checkpoint: Checkpoint, witnesses: Iterable[tuple[str, bytes]],
                         needed: int) -> None:
    """The witness policy: a checkpoint counts only with ``needed`` valid cosignatures."""
    found = cosigners(note, checkpoint, witnesses)
    if len(found) < needed:
        raise Refusal(f"checkpoint {describe(checkpoint)} has {len(found)} valid cosignature(s) by registered "
                      f"witnesses; the policy needs {needed}")
