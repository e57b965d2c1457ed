"""What every request is served with: the settings, the platform the commands open, the keystore
of the participants the platform acts for, the jobs, and one writer lock.

The platform has one writer: the sequencer appends and seals in order, and transactions from one
account take nonces in order. Routes that append to the log or send a transaction hold
:meth:`Service.writing`; reads (proofs, records, views of the chain) run side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from fastapi import Request

from api.http.jobs import Jobs
from api.node import keystore, opened
from api.platform import Platform, opened_platform
from api.settings import Settings
from ledger.chain import Chain, KeyStore


@dataclass
class Service:
    settings: Settings
    chain: Chain
    platform: Platform
    keys: KeyStore
    jobs: Jobs
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @contextmanager
    def writing(self) -> Iterator[Platform]:
        with self._lock:
            yield self.platform


@contextmanager
def started(settings: Settings) -> Iterator[Service]:
    """The service for the server's lifetime: the chain and the platform opened once, closed on stop."""
    with ExitStack() as stack:
        chain = stack.enter_context(opened(settings))
        platform = stack.enter_context(opened_platform(settings, chain))
        jobs = Jobs(platform.engine)
        stack.callback(jobs.close)
        yield Service(settings, chain, platform, keystore(settings), jobs)


def service(request: Request) -> Service:
    """FastAPI dependency: the running service."""
    found: Service = request.app.state.service
    return found
