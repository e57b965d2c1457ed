"""The node: store, chain, indexes, transaction pool and block production, wired once.

``Node`` owns everything stateful. RPC handler threads read through it concurrently;
only ``mine_pending``/``mine`` write, one block at a time, each block in a single
store transaction that also carries the block's log and transaction index rows.
A transaction leaves the pool only after its block is committed, so a receipt is
never served for a block that a crash could still lose.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from eth.abc import BlockAPI, BlockHeaderAPI, StateAPI
from eth.chains.base import Chain
from eth.db.schema import SchemaV1
from eth.exceptions import HeaderNotFound
from eth_keys.datatypes import PrivateKey
from eth_typing import BlockNumber, Hash32

from devnet import logindex, txindex
from devnet.admission import Admission, RegistryLocator
from devnet.builder import BlockBuilder, BuiltBlock
from devnet.chain import open_chain
from devnet.clock import Clock
from devnet.config import DevnetConfig
from devnet.datadir import STORE_FILE, DataDirLock
from devnet.execution import Executor
from devnet.genesis import GenesisSpec, write_readable_copy
from devnet.intake import TxIntake
from devnet.lanes import CallLanes
from devnet.logindex import LogIndex
from devnet.recent import RecentBlocks
from devnet.statecache import StateCache
from devnet.store import SqliteStore
from devnet.traffic import Traffic
from devnet.txindex import TxIndex
from devnet.txpool import PendingTx, TxPool

logger = logging.getLogger(__name__)


class Node:
    """A permissioned single-validator chain persisted in ``config.data_dir``."""

    def __init__(
        self,
        config: DevnetConfig,
        registry_locator: RegistryLocator | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._lock = DataDirLock(config.data_dir)
        spec = GenesisSpec.from_config(config)
        try:
            schema = (logindex.SCHEMA, txindex.SCHEMA)
            self.store = SqliteStore(config.data_dir / STORE_FILE, schema=schema)
            self.chain: Chain = _open_or_close(self.store, spec)
        except BaseException:
            self._lock.release()
            raise
        write_readable_copy(config.data_dir, spec)
        self.logs = LogIndex(self.store, config.max_logs)
        self.txs = TxIndex(self.store)
        self.pool = TxPool()
        self.executor = Executor(self.chain)
        self.lanes = CallLanes()
        self.traffic = Traffic()
        self.recent = RecentBlocks()
        self._states = StateCache(lambda header: self.chain.get_vm(header).state)
        locator = registry_locator or (lambda: config.registry_address)
        admission = Admission(config.allowlist, locator)
        self.intake = TxIntake(self.chain, self.pool, admission, self.executor)
        self.clock = Clock(config.data_dir, clock)
        self._builder = BlockBuilder(self.chain, PrivateKey(config.validator_key), self.clock.now)
        self._mine_lock = threading.Lock()
        self._head = self.chain.get_canonical_head()

    # -- reading -------------------------------------------------------------------

    def head(self) -> BlockHeaderAPI:
        """The latest committed header: its hash read from the store (so it moves exactly when a block
        commits, with the block's receipts), the header decoded once."""
        head_hash = Hash32(self.store[SchemaV1.make_canonical_head_hash_lookup_key()])
        if self._head.hash != head_hash:
            self._head = self.chain.get_block_header_by_hash(head_hash)
        return self._head

    def header_by_number(self, number: int) -> BlockHeaderAPI | None:
        try:
            return self.chain.get_canonical_block_header_by_number(BlockNumber(number))
        except HeaderNotFound:
            return None

    def header_by_hash(self, block_hash: Hash32) -> BlockHeaderAPI | None:
        """The header, if ``block_hash`` is canonical (there are no forks here)."""
        try:
            header = self.chain.get_block_header_by_hash(block_hash)
        except HeaderNotFound:
            return None
        canonical = self.header_by_number(header.block_number)
        return header if canonical is not None and canonical.hash == header.hash else None

    def block(self, header: BlockHeaderAPI) -> BlockAPI:
        return self.chain.get_block_by_header(header)

    def state(self, header: BlockHeaderAPI) -> StateAPI:
        """The state after ``header``'s block, for reading only (``devnet.statecache``)."""
        return self._states.state(header)

    # -- writing -------------------------------------------------------------------

    def mine_pending(self) -> BlockAPI | None:
        """Seal one block from everything pending (up to the gas limit), if any."""
        with self._mine_lock:
            candidates = self.pool.pending()
            if not candidates:
                return None
            try:
                return self._mine(candidates)
            except Exception:
                logger.exception("block building failed; dropping %d transactions", len(candidates))
                self.pool.remove([pending.hash for pending in candidates])
                raise

    def mine(self) -> BlockAPI:
        """Seal one block from everything pending, even if that is nothing."""
        with self._mine_lock:
            return self._mine(self.pool.pending())

    def _mine(self, candidates: Sequence[PendingTx]) -> BlockAPI:
        parent = self.head()
        with self.store.block_transaction() as write:
            built = self._builder.build(parent, candidates, self.traffic.courtesy())
            block = built.block
            hashes = [record.hash for record in built.records]
            rows = logindex.block_rows(block.number, block.hash, hashes, built.receipts)
            write.add_rows(logindex.INSERT_SQL, rows)
            write.add_rows(txindex.INSERT_SQL, [record.row() for record in built.records])
        self.recent.add(block, built.receipts)
        self.pool.remove(hashes + [pending.hash for pending, _ in built.dropped])
        _log_block(built)
        return block

    def close(self) -> None:
        self.store.close()
        self._lock.release()


def _open_or_close(store: SqliteStore, spec: GenesisSpec) -> Chain:
    try:
        return open_chain(store, spec)
    except BaseException:
        store.close()
        raise


def _log_block(built: BuiltBlock) -> None:
    header = built.block.header
    logger.info(
        "sealed block %d %s: %d txs, gas %d, dropped %d",
        header.block_number,
        header.hash.hex()[:16],
        len(built.records),
        header.gas_used,
        len(built.dropped),
    )
