"""The JSON-RPC backend's own behaviour, against the credtrace devnet."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.chain.backends.rpc import RpcChain


def test_the_chain_id_is_asked_once_not_before_every_call(devnet_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """web3 validates each call against ``eth_chainId``; uncached that doubled the oracle's round trips."""
    chain = RpcChain(devnet_url)
    manager = chain.web3.provider._request_session_manager  # type: ignore[attr-defined]
    posted: list[bytes] = []
    send = manager.make_post_request

    def counted(uri: Any, data: bytes, **kwargs: Any) -> bytes:
        posted.append(data)
        return send(uri, data, **kwargs)

    monkeypatch.setattr(manager, "make_post_request", counted)
    for _ in range(3):
        chain.web3.eth.call({"to": "0x" + "11" * 20, "data": "0x"})
    assert len(posted) == 3
    assert not [d for d in posted if b"eth_chainId" in d]
