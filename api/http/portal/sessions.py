"""The portal's challenges and sessions, kept in the server's memory with their expiry.

A challenge is random (128 bits), lives :data:`CHALLENGE_TTL` seconds and is taken once, whether the
login it serves succeeds or not. A session is an opaque random id (the cookie's value, nothing in it to
forge or decode) naming the account it was bound to, its CSRF token, and its expiry. Memory is the
right store for one ``credtrace serve`` process: a restart signs everyone out, which is safe; several
server processes would need them in the database (README, "The portal")."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.types import Address

CHALLENGE_TTL = 120
SESSION_TTL = 8 * 3600
LIVE_CHALLENGES = 10_000
"""At most this many challenges are kept: anyone may ask for one, so past it the oldest is dropped
(its holder asks again) rather than memory growing with the requests."""
Clock = Callable[[], float]


@dataclass(frozen=True)
class Session:
    id: str
    account: Address
    name: str
    csrf: str
    expires: float


@dataclass
class Store:
    clock: Clock = time.monotonic
    _challenges: dict[str, float] = field(default_factory=dict)
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def challenge(self) -> str:
        """A fresh challenge, kept until it is taken or expires."""
        fresh = secrets.token_urlsafe(16)
        with self._lock:
            self._prune()
            while len(self._challenges) >= LIVE_CHALLENGES:
                del self._challenges[next(iter(self._challenges))]
            self._challenges[fresh] = self.clock() + CHALLENGE_TTL
        return fresh

    def take(self, challenge: str) -> bool:
        """True once for a challenge this server issued and that has not expired; it is gone after."""
        with self._lock:
            expires = self._challenges.pop(challenge, None)
        return expires is not None and expires > self.clock()

    def open(self, account: Address, name: str) -> Session:
        found = Session(secrets.token_urlsafe(32), account, name, secrets.token_urlsafe(32),
                        self.clock() + SESSION_TTL)
        with self._lock:
            self._prune()
            self._sessions[found.id] = found
        return found

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            found = self._sessions.get(session_id)
            if found is not None and found.expires <= self.clock():
                del self._sessions[session_id]
                return None
        return found

    def close(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _prune(self) -> None:
        now = self.clock()
        self._challenges = {c: t for c, t in self._challenges.items() if t > now}
        self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
