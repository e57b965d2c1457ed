"""Resync: re-execute the stored chain from genesis on a fresh py-evm, as a full node does on sync.

Why: a regulator must be able to re-check the ledger without trusting the node that wrote it
(credtrace issue 16, replay step 1). The data directory is opened read-only (``SqliteReader``; the
node may be serving it, and the blocks it adds meanwhile are left for the next resync), the genesis
is rebuilt from the stored genesis spec in an in-memory ``AtomicDB``, and every canonical block
1..head is checked in order, after the Yellow Paper's block validity (§4.4, §11) and EIP-225's seal:

1. it is there and decodes, its stored header hashes to the canonical hash, and its parent hash is
   block N-1's canonical hash;
2. its seal recovers to the genesis validator (``devnet.seal``);
3. its body matches its header (transactions root; taken from re-execution, which computes it anyway);
4. its header obeys the rules against its parent (gas limit, timestamp, number, extra data);
5. re-executing its transactions on the state rebuilt so far gives the same header: state root,
   receipts root, gas used, logs bloom, base fee, withdrawals and requests hashes;
6. every content-addressed record the re-execution wrote (state, storage and code, transaction and
   receipt trie nodes) is stored with the same bytes, so the state the node serves for that block
   is the state re-execution gives (a node edited on disk is found even though no header changed);
7. the block's rows in the node's indexes — ``logs`` (what ``eth_getLogs`` answers, so what every
   reader of contract events sees) and ``txs`` (sender, contract, gas, price of each receipt) — are
   the rows re-execution gives.

A mismatch is recorded and the check goes on. Seal, link, header-rule, receipts, stored-state and
index mismatches leave re-execution possible (the state after the block is still the one its header
names); a body, a state root or an execution that differs does not (the state
the next block starts from is then unknown), so later blocks get checks 1-2 only and the report
says from which block nothing was re-executed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import cast

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptDecoderAPI
from eth.chains.base import Chain
from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth.db.trie import make_trie_root_and_nodes
from eth.exceptions import HeaderNotFound
from eth_typing import Address, BlockNumber, Hash32
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError

from devnet import logindex, txindex
from devnet.chain import chain_class
from devnet.datadir import STORE_FILE
from devnet.errors import SealError, StoreError
from devnet.genesis import GENESIS_META_KEY, GenesisSpec
from devnet.seal import verify_seal
from devnet.store import Row, SqliteReader

Progress = Callable[[int, int], None]

#: Header fields that re-execution recomputes; ``parent_hash`` is check 1's, ``extra_data`` check 2's.
_LINK_FIELDS = frozenset({"parent_hash"})


@dataclass(frozen=True)
class ResyncReport:
    """What a resync re-executed and every mismatch it found (each names its block)."""

    blocks: int  # blocks re-executed (genesis excluded)
    transactions: int
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def resync(data_dir: Path, progress: Progress | None = None) -> ResyncReport:
    """Re-execute ``data_dir``'s chain from genesis; raise ``StoreError`` if there is no chain."""
    reader = SqliteReader(Path(data_dir) / STORE_FILE)
    try:
        return _Resync(reader).run(progress or (lambda done, total: None))
    finally:
        reader.close()


class _RecordingDB(MemoryDB):
    """The fresh chain's memory, noting each key written (for check 6)."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.written.append(key)
        self.kv_store[key] = value


class _Resync:
    """One pass over a stored chain; holds the fresh chain and the findings."""

    def __init__(self, reader: SqliteReader) -> None:
        stored_spec = reader.get_meta(GENESIS_META_KEY)
        if stored_spec is None:
            raise StoreError("the store holds no genesis spec: not a devnet data directory")
        self.spec = GenesisSpec.from_json(stored_spec)
        self.validator = Address(bytes.fromhex(self.spec.validator[2:]))
        cls = chain_class(self.spec.chain_id, self.validator)
        self.stored = cls(reader)
        self.reader = reader
        self.memory = _RecordingDB()
        self.fresh = cast(Chain, cls.from_genesis(AtomicDB(self.memory), self.spec.header_params(), self.spec.state()))
        self.mismatches: list[str] = []
        self.blocks = self.transactions = 0
        try:
            self.head = self.stored.get_canonical_head().block_number
        except Exception as exc:  # a missing or damaged head pointer leaves nothing to walk
            raise StoreError(f"the store has no readable canonical head ({type(exc).__name__}: {exc})") from exc

    def run(self, progress: Progress) -> ResyncReport:
        head = self.head
        parent = self._genesis()
        executing = parent is not None
        if not executing:
            self._stop_after(1, head)
        for number in range(1, head + 1):
            block = self._stored_block(number)
            if block is not None:
                executing, parent = self._check(block, parent, executing)
            elif executing:
                executing = False
                self._stop_after(number, head)
            progress(number, head)
        self._check_nothing_beyond_head()
        return ResyncReport(self.blocks, self.transactions, self.mismatches)

    # -- genesis -------------------------------------------------------------------

    def _genesis(self) -> BlockHeaderAPI | None:
        rebuilt = self.fresh.get_canonical_head()
        try:
            stored = self.stored.get_canonical_block_header_by_number(BlockNumber(0))
        except HeaderNotFound:
            self.mismatches.append("genesis: missing from the store")
            return None
        if stored.hash != rebuilt.hash:
            self.mismatches.append(
                f"genesis: stored hash 0x{stored.hash.hex()} is not the hash 0x{rebuilt.hash.hex()} "
                "of the stored genesis spec"
            )
            return None
        self._compare_stored_state("genesis")
        self.memory.written.clear()
        return rebuilt

    # -- one block -----------------------------------------------------------------

    def _stored_block(self, number: int) -> BlockAPI | None:
        try:
            return self.stored.get_canonical_block_by_number(BlockNumber(number))
        except Exception as exc:  # any damage to the stored bytes (missing key, bad RLP) is a finding
            self.mismatches.append(
                f"block {number}: missing or undecodable in the store ({type(exc).__name__}: {exc})"
            )
            return None

    def _check(
        self, block: BlockAPI, parent: BlockHeaderAPI | None, executing: bool
    ) -> tuple[bool, BlockHeaderAPI | None]:
        """Checks 1-7 on ``block``; whether re-execution goes on, and the fresh chain's header of it."""
        self._check_identity(block)
        self._check_seal(block.header)
        if not executing or parent is None:
            return False, None
        rebuilt = self._executes(block, parent)
        if rebuilt is None:
            self._stop_after(block.number + 1, self.head)
            return False, None
        return True, rebuilt

    def _check_identity(self, block: BlockAPI) -> None:
        number = block.number
        canonical = self.stored.chaindb.get_canonical_block_hash(BlockNumber(number))
        if block.header.hash != canonical:
            self.mismatches.append(
                f"block {number}: stored header does not hash to its block hash 0x{canonical.hex()} (altered on disk)"
            )
        try:
            expected = self.stored.chaindb.get_canonical_block_hash(BlockNumber(number - 1))
        except HeaderNotFound:
            return  # reported with that block
        if block.header.parent_hash != expected:
            self.mismatches.append(f"block {number}: parent hash does not link to block {number - 1}")

    def _check_seal(self, header: BlockHeaderAPI) -> None:
        try:
            verify_seal(header, self.validator)
        except SealError as exc:
            self.mismatches.append(f"block {header.block_number}: seal: {exc}")

    def _body_matches(self, block: BlockAPI, root: Hash32 | None = None) -> bool:
        """Check 3, on the root re-execution computed (``root``) or, when it failed, from scratch."""
        root = root or make_trie_root_and_nodes(block.transactions)[0]
        if root == block.header.transaction_root:
            return True
        self.mismatches.append(
            f"block {block.number}: transactions root: the stored transactions give 0x{root.hex()}, "
            f"the header says 0x{block.header.transaction_root.hex()}"
        )
        return False

    def _executes(self, block: BlockAPI, parent: BlockHeaderAPI) -> BlockHeaderAPI | None:
        """Re-execute ``block`` on ``parent``'s state; the rebuilt header, or None if the state diverged."""
        number, header = block.number, block.header
        vm_class = self.fresh.get_vm_class(header)
        try:
            vm_class.validate_header(header, parent)
        except ValidationError as exc:
            self.mismatches.append(f"block {number}: header rules: {exc}")
        try:
            base = self.fresh.create_header_from_parent(parent).copy(gas_used=header.gas_used)
            imported = self.fresh.get_vm(base).import_block(block).block
        except (ValidationError, KeyError) as exc:
            if self._body_matches(block):
                self.mismatches.append(f"block {number}: re-execution failed: {exc}")
            return None
        rebuilt = imported.header
        if not self._body_matches(block, rebuilt.transaction_root):
            return None  # the other fields follow from the wrong body
        differing = _differing_fields(rebuilt, header)
        for name in differing:
            self.mismatches.append(
                f"block {number}: {name.replace('_', ' ')}: re-execution gives {_show(getattr(rebuilt, name))}, "
                f"the header says {_show(getattr(header, name))}"
            )
        if "state_root" in differing:
            return None
        self._compare_stored_state(f"block {number}")
        self._compare_indexes(block, vm_class.get_receipt_builder(), imported.header)
        self.fresh.chaindb.persist_block(imported)  # as py-evm's Chain.import_block: the chain it rebuilt
        self.memory.written.clear()
        self.blocks += 1
        self.transactions += len(block.transactions)
        return rebuilt

    def _check_nothing_beyond_head(self) -> None:
        """A head moved back (history cut off) leaves later blocks' pointers and index rows behind; a node
        still mining moves its head with them in one commit, so one snapshot tells the two apart."""
        with self.reader.snapshot():
            head = self.stored.get_canonical_head().block_number
            try:
                self.stored.chaindb.get_canonical_block_hash(BlockNumber(head + 1))
                beyond = head + 1
            except HeaderNotFound:
                indexed = [self.reader.query(sql)[0][0] for sql in (logindex.MAX_BLOCK_SQL, txindex.MAX_BLOCK_SQL)]
                beyond = max(number or 0 for number in indexed)
        if beyond > head:
            self.mismatches.append(f"block {beyond}: stored beyond the canonical head {head} (history cut off?)")

    def _stop_after(self, first_unchecked: int, head: int) -> None:
        if first_unchecked <= head:
            self.mismatches.append(
                f"blocks {first_unchecked}..{head}: not re-executed (the state they start from is unknown); "
                "only their seals and links were checked"
            )

    # -- check 6 -------------------------------------------------------------------

    def _compare_stored_state(self, where: str) -> None:
        """Each content-addressed record re-execution wrote must be stored with the same bytes."""
        keys = list(dict.fromkeys(key for key in self.memory.written if len(key) == 32))
        self.memory.written.clear()
        stored = self.reader.values_of(keys)
        for key in keys:
            value = stored.get(key)
            if value is None:
                self.mismatches.append(f"{where}: stored state lacks node 0x{key.hex()} that re-execution gives")
            elif value != self.memory.kv_store[key]:
                altered = " (altered on disk)" if keccak(value) != key else ""
                self.mismatches.append(f"{where}: stored node 0x{key.hex()} differs from re-execution{altered}")

    # -- check 7 -------------------------------------------------------------------

    def _compare_indexes(self, block: BlockAPI, decoder: type[ReceiptDecoderAPI], rebuilt: BlockHeaderAPI) -> None:
        number, transactions = block.number, block.transactions
        receipts = self.fresh.chaindb.get_receipts(rebuilt, decoder)
        block_hash = self.stored.chaindb.get_canonical_block_hash(BlockNumber(number))
        hashes = [tx.hash for tx in transactions]
        logs = logindex.block_rows(number, block_hash, hashes, receipts)
        self._compare_rows(f"block {number}: log index", logindex.BLOCK_SQL, number, logs)
        base_fee, gas = block.header.base_fee_per_gas or 0, [0] + [receipt.gas_used for receipt in receipts]
        records = [
            txindex.record_of(tx, tx.sender, number, index, base_fee, gas[index], receipt).row()
            for index, (tx, receipt) in enumerate(zip(transactions, receipts, strict=True))
        ]
        self._compare_rows(f"block {number}: transaction index", txindex.BLOCK_SQL, number, records)

    def _compare_rows(self, where: str, sql: str, number: int, expected: list[Row]) -> None:
        stored = [tuple(row) for row in self.reader.query(sql, (number,))]
        if stored == [tuple(row) for row in expected]:
            return
        pairs = enumerate(zip_longest(stored, expected))
        differing = [position for position, (found, wanted) in pairs if found != wanted]
        self.mismatches.append(
            f"{where}: {len(stored)} stored rows, re-execution gives {len(expected)}; rows that differ: {differing}"
        )


def _differing_fields(rebuilt: BlockHeaderAPI, stored: BlockHeaderAPI) -> list[str]:
    names: tuple[str, ...] = type(stored)._meta.field_names  # type: ignore[attr-defined]
    return [name for name in names if name not in _LINK_FIELDS and getattr(rebuilt, name) != getattr(stored, name)]


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return f"0x{value.hex()}" if len(value) <= 32 else f"0x{keccak(value).hex()[:16]}… (keccak)"
    return str(value)


__all__ = ["ResyncReport", "resync"]
