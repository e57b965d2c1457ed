"""Acting on chain for a caller (the custody model, README): once the request's signature is verified,
the server sends the caller's transaction from the caller's own chain account, whose key the server's
keystore holds (``HOME/keys``; a KMS in production). The chain's own role checks still apply."""

from __future__ import annotations

from api.http.auth import Caller
from api.http.problems import FORBIDDEN, Problem
from api.http.service import Service
from ledger.chain import Identity, TransactionSender


def identity_of(svc: Service, caller: Caller) -> Identity:
    """The keystore's identity whose address is the caller's account; 403 if the server holds none."""
    for identity in svc.keys.all():
        if identity.address == caller.account:
            return identity
    raise Problem(FORBIDDEN, f"the platform holds no chain key for {caller.account}: it cannot act for it")


def sender_of(svc: Service, caller: Caller) -> TransactionSender:
    return TransactionSender(svc.chain, identity_of(svc, caller).account)
