"""Client of the ``ProvenanceLog`` contract: tree heads anchored on chain, on-chain proofs."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3.types import TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.types import Address

NAME = "ProvenanceLog"


@dataclass(frozen=True)
class Anchoring:
    """The transaction that anchored a tree size: its root, who sent it, where it was mined."""

    root: bytes
    tx: str
    block: int
    by: Address


@dataclass(frozen=True)
class Anchored:
    tree_size: int
    root: bytes
    anchored_at: int
    """Block timestamp of the anchoring transaction."""


ANCHOR_GAS_PER_BYTE = 400
"""An anchor costs 220 to 245 gas a byte of its proofs (measured from 1.5 to 14 KB: the size proof's leaves
and spines are decoded and hashed on chain); the limit allows 400, over a fixed 150,000."""


def anchor_gas(consistency: Sequence[bytes], size_proof: Sequence[tuple[bytes, Sequence[bytes]]]) -> int:
    """An anchor's gas limit, from its proofs' size rather than estimated: an estimate runs the anchor
    three times in the node, ~100 ms each on the devnet's py-evm for a 1-million-gas anchor."""
    size = 32 * len(consistency) + sum(len(leaf) + 32 * (len(spine) + 2) for leaf, spine in size_proof)
    return 150_000 + ANCHOR_GAS_PER_BYTE * size


class ProvenanceLog:
    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    @functools.cached_property
    def origin(self) -> str:
        """The log's name in its checkpoints: this contract's chain id and address, so no two
        deployments share one (C2SP tlog-checkpoint's origin line, and the key name it signs with)."""
        chain_id = int(self.contract.chain.web3.eth.chain_id)
        return f"credtrace/provenance/{chain_id}/{self.contract.address.lower()}"

    def anchor(self, by: TransactionSender, tree_size: int, root: bytes, consistency: Sequence[bytes],
               size_proof: Sequence[tuple[bytes, Sequence[bytes]]]) -> TxReceipt:
        """Anchor a tree head; ``consistency`` proves it extends the last anchored one, ``size_proof``
        (leftmost leaf data and left spine of each perfect subtree) that its root has ``tree_size`` leaves."""
        leaves, spines = [data for data, _ in size_proof], [list(spine) for _, spine in size_proof]
        return self.contract.transact(by, "anchor", tree_size, root, list(consistency), leaves, spines,
                                      gas=anchor_gas(consistency, size_proof))

    def size_bound(self, tree_size: int, root: bytes, size_proof: Sequence[tuple[bytes, Sequence[bytes]]]) -> bool:
        """The contract's own check of a size proof (see ``anchor``)."""
        leaves, spines = [data for data, _ in size_proof], [list(spine) for _, spine in size_proof]
        return bool(self.contract.call("sizeBound", tree_size, root, leaves, spines))

    def count(self) -> int:
        return int(self.contract.call("checkpointCount"))

    def at(self, index: int) -> Anchored:
        size, when, root = self.contract.call("checkpointAt", index)
        return Anchored(int(size), bytes(root), int(when))

    def all(self) -> list[Anchored]:
        return [self.at(i) for i in range(self.count())]

    def latest(self) -> Anchored | None:
        n = self.count()
        return self.at(n - 1) if n else None

    def anchoring(self, tree_size: int) -> Anchoring | None:
        """The transaction that anchored ``tree_size``, from its event log; None if none did."""
        event = self.contract.event("CheckpointAnchored")
        for log in event.get_logs(from_block=0, argument_filters={"treeSize": tree_size}):
            return _anchoring(log)
        return None

    def anchorings(self) -> dict[int, Anchoring]:
        """Every anchored tree size and the transaction that anchored it, in one event query."""
        logs = self.contract.event("CheckpointAnchored").get_logs(from_block=0)
        return {int(log["args"]["treeSize"]): _anchoring(log) for log in logs}

    def root_of(self, tree_size: int) -> bytes:
        """The anchored root for ``tree_size``; ContractRevert UnknownTreeSize if none."""
        return bytes(self.contract.call("rootOf", tree_size))

    def verify_inclusion(self, leaf_hash: bytes, index: int, tree_size: int,
                         proof: Sequence[bytes]) -> bool:
        return bool(self.contract.call("verifyInclusion", leaf_hash, index, tree_size, list(proof)))

    def included(self, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes],
                 root: bytes) -> bool:
        """The contract's pure RFC 9162 §2.1.3.2 verifier, against any root."""
        return bool(self.contract.call("included", leaf_hash, index, tree_size, list(proof), root))

    def consistent(self, old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                   proof: Sequence[bytes]) -> bool:
        """The contract's pure RFC 9162 §2.1.4.2 verifier."""
        return bool(self.contract.call("consistent", old_size, new_size, old_root, new_root, list(proof)))


def _anchoring(log: Any) -> Anchoring:
    args = log["args"]
    return Anchoring(bytes(args["root"]), "0x" + bytes(log["transactionHash"]).hex(), int(log["blockNumber"]),
                     args["by"])
