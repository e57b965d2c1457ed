"""The sequencer: accepts events fast, seals them in batches, signs and anchors tree heads.

Accept fast, commit in batches (DESIGN §6.9): an append is one SQL transaction and is
acknowledged (indices returned) once committed; sealing computes the new perfect-subtree
nodes and the root, signs the tree head and stores both in one transaction; anchoring sends
``(tree_size, root)`` with a consistency proof to ``ProvenanceLog``. Every step can be
interrupted: on restart, :meth:`Sequencer.catch_up` seals what was appended and anchors
what was sealed, reconciling with the chain first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from nacl.signing import SigningKey

from ledger.chain.sender import TransactionSender
from ledger.contracts.provenance_log import ProvenanceLog
from ledger.errors import ContractRevert, LedgerError, VerificationError
from ledger.provenance import merkle, prover
from ledger.provenance.checkpoint import Checkpoint
from ledger.provenance.event import Event
from ledger.provenance.store import LogStore, StoredCheckpoint, WriterLock

Clock = Callable[[], int]
"""Milliseconds since the Unix epoch."""


@dataclass(frozen=True)
class AnchorTarget:
    log: ProvenanceLog
    sender: TransactionSender


class _Overlay(merkle.NodeReader):
    """Nodes of a seal in progress over the stored ones (a merkle.NodeReader)."""

    def __init__(self, fresh: Sequence[merkle.StoredNode], store: LogStore) -> None:
        self._fresh = {(lv, i): h for lv, i, h in fresh}
        self._store = store

    def get_nodes(self, keys: Sequence[merkle.NodeKey]) -> list[bytes]:
        rest = [k for k in keys if k not in self._fresh]
        found = dict(zip(rest, self._store.get_nodes(rest), strict=True)) if rest else {}
        return [self._fresh[k] if k in self._fresh else found[k] for k in keys]


class Sequencer:
    """The log's single writer. Not thread-safe: one sequencer per store, one thread."""

    def __init__(self, store: LogStore, key: SigningKey, clock: Clock, anchor: AnchorTarget) -> None:
        self.store, self.key, self.clock, self.target = store, key, clock, anchor
        self.origin = anchor.log.origin
        self._lock = WriterLock(store.engine)  # before reading the size: see WriterLock
        self.size = store.size()
        heads = store.checkpoints()
        self.sealed = heads[-1].tree_size if heads else 0
        self._unsealed: list[bytes] | None = None  # leaf hashes since the seal, once known

    def close(self) -> None:
        """Let another sequencer write (the process ending does the same)."""
        self._lock.release()

    def __enter__(self) -> Sequencer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Appends and seals inside are committed together when the block ends, or not at all: if it
        raises, the store rolls them back and the sequencer forgets them."""
        saved = self.size, self.sealed, None if self._unsealed is None else list(self._unsealed)
        try:
            with self.store.unit():
                yield
        except BaseException:
            self.size, self.sealed, self._unsealed = saved
            raise

    def append(self, events: Sequence[Event]) -> range:
        """Store ``events`` durably; their leaf indices are the acknowledgement."""
        return self.append_canonical([e.canonical() for e in events])

    def append_canonical(self, bodies: Sequence[bytes], leaf_hashes: Sequence[bytes] | None = None) -> range:
        """:meth:`append` for events already in their RFC 8785 bytes (a validated file), with their
        leaf hashes if the caller computed them (in parallel). Inside :meth:`atomic`, with
        ``LogStore.record_batch``, a whole file is appended once (see ``credtrace log append``)."""
        start = self.size
        hashes = list(leaf_hashes) if leaf_hashes is not None else list(map(merkle.leaf_hash, bodies))
        rows = zip(range(start, start + len(bodies)), hashes, map(bytes.decode, bodies), strict=True)
        self.store.append(start, list(rows))
        self.size = start + len(bodies)
        if self._unsealed is None and start == self.sealed:
            self._unsealed = []
        if self._unsealed is not None:
            self._unsealed.extend(hashes)
        return range(start, self.size)

    def seal(self) -> StoredCheckpoint | None:
        """Seal everything appended since the last seal into a signed checkpoint."""
        if self.size == self.sealed:
            return None
        leaf_hashes = self._unsealed
        if leaf_hashes is None:  # after a restart: read them back
            leaf_hashes = [h for _, h, _ in self.store.leaves(self.sealed, self.size)]
        fresh = merkle.append_nodes(self.sealed, leaf_hashes, self.store)
        head = Checkpoint(self.origin, self.size, merkle.root(self.size, _Overlay(fresh, self.store)))
        stored = StoredCheckpoint(head.tree_size, head.root, self.clock(), head.sign(self.key), None, None)
        self.store.seal(fresh, stored)
        self.sealed, self._unsealed = self.size, []
        return stored

    def anchor(self) -> StoredCheckpoint | None:
        """Anchor the newest checkpoint on chain, unless the chain already has it."""
        heads = self.store.checkpoints()
        self._reconcile(heads)
        newest = self.store.checkpoints()[-1] if heads else None
        if newest is None or newest.anchor_tx is not None:
            return newest
        on_chain = self.target.log.latest()
        consistency: list[bytes] = []
        if on_chain is not None:
            consistency = prover.consistency_proof(on_chain.tree_size, newest.tree_size, self.store)
        size = prover.size_proof(newest.tree_size, self.store, self._bodies)
        try:
            receipt = self.target.log.anchor(self.target.sender, newest.tree_size, newest.root, consistency, size)
        except ContractRevert.named("TreeNotGrowing"):
            # a writer killed with its anchor still in the node's pool: it was mined first; take it as ours
            self._reconcile([newest])
            if (held := self.store.checkpoints()[-1]).anchor_tx is None:
                raise
            return held
        tx = "0x" + bytes(receipt["transactionHash"]).hex()
        self.store.mark_anchored(newest.tree_size, tx, receipt["blockNumber"])
        return self.store.checkpoints()[-1]

    def _bodies(self, indexes: Sequence[int]) -> list[bytes]:
        """The canonical bytes of the events at ``indexes``: the leaves a size proof shows."""
        stored = self.store.events_at(indexes)
        return [stored[i][1].encode() for i in indexes]

    def catch_up(self) -> StoredCheckpoint | None:
        """After a restart: refuse a store the chain has outgrown, then seal what was appended and
        anchor what was sealed."""
        self._refuse_if_behind()
        self.seal()
        return self.anchor()

    def _refuse_if_behind(self) -> None:
        """A store holding fewer sealed events than the chain anchored was deleted (and recreated
        empty) or restored from an older backup; appending to it would fork the log. Nothing is
        written: the way back is the newest backup of the database."""
        on_chain = self.target.log.latest()
        if on_chain is not None and on_chain.tree_size > self.sealed:
            raise LedgerError(
                f"the store is behind the chain: the chain anchored a tree of {on_chain.tree_size} events, the "
                f"store has sealed {self.sealed} (and holds {self.size}); it was deleted or restored from an "
                "older backup. Nothing was written: restore the newest backup of the database, then retry")

    def _reconcile(self, heads: Sequence[StoredCheckpoint]) -> None:
        """Mark checkpoints the chain has (anchored before a crash) and check their roots."""
        for head in heads:
            if head.anchor_tx is not None:
                continue
            try:
                root = self.target.log.root_of(head.tree_size)
            except ContractRevert:
                continue
            if root != head.root:
                raise VerificationError(
                    f"checkpoint {head.tree_size}: the chain anchored root {root.hex()}, "
                    f"the store has {head.root.hex()}")
            found = self.target.log.anchoring(head.tree_size)
            if found is not None:
                self.store.mark_anchored(head.tree_size, found.tx, found.block)
