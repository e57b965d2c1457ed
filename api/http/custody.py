"""Acting on chain for a caller (the custody model, README): once the request's signature is verified,
the server sends the caller's transaction from the caller's own chain account, whose key the server's
keystore holds (``HOME/keys``; a KMS in production). The chain's own role checks still apply."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from api.http.auth import Caller
from api.http.problems import FORBIDDEN, Problem
from api.http.service import Service
from api.platform import Platform
from ledger.chain import Identity, TransactionSender
from ledger.errors import IdentityError


def identity_of(svc: Service, caller: Caller) -> Identity:
    """The keystore's identity whose address is the caller's account; 403 if the server holds none."""
    try:
        return svc.keys.by_address(caller.account)
    except IdentityError:
        detail = f"the platform holds no chain key for {caller.account}: it cannot act for it"
        raise Problem(FORBIDDEN, detail) from None


def sender_of(svc: Service, caller: Caller) -> TransactionSender:
    return TransactionSender(svc.chain, identity_of(svc, caller).account)


@contextmanager
def acting(svc: Service, caller: Caller) -> Iterator[tuple[Platform, TransactionSender]]:
    """The platform under the writer lock and a sender of ``caller``'s own account."""
    sender = sender_of(svc, caller)
    with svc.writing() as p:
        yield p, sender
