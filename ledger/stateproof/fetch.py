"""The edge: a block header and an EIP-1186 proof fetched over JSON-RPC, as the node sent them.

Nothing here is trusted: ``verify`` checks all of it. The proof is asked for at the block's hash
(EIP-1898), so the header and the proof are of the same block even while blocks are sealed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.chain.protocol import Chain
from ledger.errors import ChainError

Json = dict[str, Any]


@dataclass(frozen=True)
class Fetched:
    block: Json
    proof: Json


def fetched(chain: Chain, address: bytes, slots: Sequence[int], block: int | None) -> Fetched:
    """``eth_getBlockByNumber`` (``block``, or the latest) and ``eth_getProof`` at its hash."""
    tag = "latest" if block is None else hex(block)
    header = _request(chain, "eth_getBlockByNumber", [tag, False])
    if header is None:
        raise ChainError(f"the node has no block {tag}")
    keys = ["0x" + slot.to_bytes(32, "big").hex() for slot in slots]
    proof = _request(chain, "eth_getProof", ["0x" + address.hex(), keys, {"blockHash": header["hash"]}])
    return Fetched(header, proof)


def _request(chain: Chain, method: str, params: list[Any]) -> Any:
    try:
        answer = chain.web3.provider.make_request(method, params)  # type: ignore[arg-type]
    except Exception as exc:  # the transport's own errors (connection refused, timeout, bad JSON)
        raise ChainError(f"{method}: the node did not answer: {exc}") from exc
    if "error" in answer:
        error = answer["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise ChainError(f"{method}: the node refused: {message}")
    return answer.get("result")
