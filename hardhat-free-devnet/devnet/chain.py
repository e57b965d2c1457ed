"""The py-evm chain: Prague rules, a Clique-style seal check, opened from the store.

``open_chain`` creates the genesis on an empty store (one block transaction) or
reopens the canonical chain with ``Chain(db)``, after checking that the stored genesis
matches the configuration and that every stored block is sealed by the validator.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import cast

from eth.abc import AtomicDatabaseAPI, BlockHeaderAPI, ConsensusAPI, ConsensusContextAPI
from eth.chains.base import Chain
from eth.constants import BLANK_ROOT_HASH
from eth.vm.forks.prague import PragueVM
from eth_typing import Address, BlockNumber

from devnet.errors import SealError, StoreError
from devnet.genesis import GENESIS_META_KEY, GenesisSpec, check_stored
from devnet.seal import SEALED_EXTRA_DATA_LENGTH, verify_seal
from devnet.store import SqliteStore

logger = logging.getLogger(__name__)


class DevnetVM(PragueVM):
    """Prague execution rules; ``extraData`` may hold a 32-byte vanity plus a seal."""

    extra_data_max_bytes = SEALED_EXTRA_DATA_LENGTH


class SealConsensus(ConsensusAPI):
    """Accept a header only if it is sealed by ``validator`` (see ``devnet.seal``)."""

    validator: Address

    def __init__(self, context: ConsensusContextAPI | AtomicDatabaseAPI) -> None:
        del context

    def validate_seal(self, header: BlockHeaderAPI) -> None:
        verify_seal(header, self.validator)

    def validate_seal_extension(self, header: BlockHeaderAPI, parents: Iterable[BlockHeaderAPI]) -> None:
        del header, parents

    @classmethod
    def get_fee_recipient(cls, header: BlockHeaderAPI) -> Address:
        return header.coinbase


def chain_class(chain_id: int, validator: Address) -> type[Chain]:
    """A ``Chain`` class running ``DevnetVM`` from block 0 for this validator."""
    consensus = type("SealConsensus", (SealConsensus,), {"validator": validator})
    vm = DevnetVM.configure(__name__="DevnetVM", consensus_class=consensus)
    return Chain.configure(__name__="DevnetChain", vm_configuration=((0, vm),), chain_id=chain_id)


def open_chain(store: SqliteStore, spec: GenesisSpec) -> Chain:
    """Create the genesis on an empty store, or reopen and verify the stored chain."""
    validator = Address(bytes.fromhex(spec.validator[2:]))
    cls = chain_class(spec.chain_id, validator)
    stored = store.get_meta(GENESIS_META_KEY)
    if stored is None:
        with store.block_transaction() as write:
            chain = cast(Chain, cls.from_genesis(store, spec.header_params(), spec.state()))
            write.set_meta(GENESIS_META_KEY, spec.to_json())
        logger.info("created genesis %s", chain.get_canonical_head().hash.hex())
        return chain
    check_stored(stored, spec)
    chain = cls(store)
    verify_chain(chain, store, validator, spec)
    return chain


def verify_chain(chain: Chain, store: SqliteStore, validator: Address, spec: GenesisSpec) -> None:
    """Check genesis, parent links and every seal from genesis to the head."""
    parent = chain.get_canonical_block_header_by_number(BlockNumber(0))
    if parent.extra_data != spec.digest():
        raise StoreError("stored genesis header does not commit to the stored genesis spec")
    head = chain.get_canonical_head()
    for number in range(1, head.block_number + 1):
        header = chain.get_canonical_block_header_by_number(BlockNumber(number))
        if header.parent_hash != parent.hash:
            raise SealError(f"block {number} does not link to block {number - 1}")
        verify_seal(header, validator)
        parent = header
    if head.state_root != BLANK_ROOT_HASH and not store.exists(head.state_root):
        raise StoreError(f"state root of head block {head.block_number} is missing")
    logger.info("verified %d sealed blocks, head %s", head.block_number, head.hash.hex())
