"""The in-process handle: node + miner + HTTP server, started and stopped together.

    with Devnet(config).serving() as url:
        w3 = Web3(Web3.HTTPProvider(url))
        ...

Stopping closes the HTTP server, seals what is still pending, then closes the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from devnet.admission import RegistryLocator
from devnet.config import DevnetConfig
from devnet.datadir import URL_FILE
from devnet.errors import DevnetError
from devnet.methods import method_table
from devnet.miner import Miner
from devnet.node import Node
from devnet.rpc import Dispatcher
from devnet.server import RpcServer

logger = logging.getLogger(__name__)


class Devnet:
    """A runnable devnet for one configuration. ``node`` is set while serving."""

    def __init__(
        self,
        config: DevnetConfig,
        registry_locator: RegistryLocator | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._registry_locator = registry_locator
        self._clock = clock
        self._node: Node | None = None

    @property
    def node(self) -> Node:
        if self._node is None:
            raise DevnetError("the devnet is not running; use serving()")
        return self._node

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Start node, miner and HTTP server; yield the RPC URL; stop all on exit."""
        node = Node(self.config, self._registry_locator, self._clock)
        try:
            server = RpcServer(Dispatcher(method_table(node)), self.config.host, self.config.port, node.traffic)
        except BaseException:
            node.close()
            raise
        miner = Miner(node, self.config.block_time)
        miner.start()
        server.start()
        self._node = node
        url_file = self.config.data_dir / URL_FILE
        url_file.write_text(server.url + "\n")
        try:
            yield server.url
        finally:
            self._node = None
            url_file.unlink(missing_ok=True)
            server.stop()
            miner.stop()
            node.close()
            logger.info("devnet stopped")
