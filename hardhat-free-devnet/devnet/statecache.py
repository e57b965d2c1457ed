"""Read-only states kept by block hash, so a batch of reads builds one state, not one each.

A block's state never changes (a block hash names one state root, and this chain has no
forks), so a state opened for reading can serve every later read of that block. Building
one costs about a millisecond (Prague's system-contract set-up reads code from the trie), and
a kept state keeps py-evm's account cache warm: a 10,000-request ``eth_getBalance`` batch
builds one state instead of 10,000.

Kept states are only read. Reads on a py-evm state fill its caches, which is safe under the
GIL from several threads; nothing writes through them (execution and block building open
their own states).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from eth.abc import BlockHeaderAPI, StateAPI
from eth_typing import Hash32

KEPT_STATES = 8
"""The latest block and a few before it: reads concentrate on the head."""


class StateCache:
    """The ``KEPT_STATES`` most recently read block states, opened by ``open_state``."""

    def __init__(self, open_state: Callable[[BlockHeaderAPI], StateAPI]) -> None:
        self._open = open_state
        self._states: OrderedDict[Hash32, StateAPI] = OrderedDict()
        self._lock = threading.Lock()

    def state(self, header: BlockHeaderAPI) -> StateAPI:
        with self._lock:
            found = self._states.get(header.hash)
            if found is not None:
                self._states.move_to_end(header.hash)
                return found
        return self._keep(header.hash, self._open(header))

    def _keep(self, block_hash: Hash32, state: StateAPI) -> StateAPI:
        with self._lock:
            self._states[block_hash] = state
            while len(self._states) > KEPT_STATES:
                self._states.popitem(last=False)
        return state
