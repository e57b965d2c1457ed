"""Merkle proofs of state (EIP-1186 ``eth_getProof``) and ``eth_createAccessList``.

``eth_getProof`` answers, for one account and some of its storage slots at a block, the
account's fields and the Merkle-Patricia trie nodes from the block's ``stateRoot`` down
to the account (key ``keccak256(address)``) and from its ``storageHash`` down to each
slot (key ``keccak256(slot as 32 bytes)``), so a client holding only the header can check
them. An absent account or an empty slot gets an exclusion proof: the nodes of the
longest path that exists, ending where the key's path leaves the trie. As in geth, nodes
shorter than 32 bytes, which their parent embeds, are not listed apart (the root always
is), and the fields of an absent account are the empty account's.

The node keeps the state of every block (nothing is pruned), so any canonical block can
be proven. An empty storage trie gets an empty proof, as geth gives it (Anvil sends the
empty root node ``0x80``, which proves the same).

``eth_createAccessList`` answers ``{accessList, gasUsed}`` as geth does (``Executor.create_access_list``);
a call that fails also gets geth's ``error`` field beside them, where Anvil answers an error instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import rlp
from eth.abc import BlockHeaderAPI
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth_typing import Address, Hash32
from eth_utils.crypto import keccak
from trie.exceptions import MissingTrieNode
from trie.hexary import HexaryTrie

from devnet import formatting, params
from devnet.errors import InvalidParams, UnknownBlock
from devnet.execution import AccessList
from devnet.methods.resolve import header_param
from devnet.node import Node

MAX_PROOF_KEYS = 1024
"""Storage keys one ``eth_getProof`` may ask for (each costs a trie walk)."""

EMPTY_ACCOUNT = Account(nonce=0, balance=0, storage_root=BLANK_ROOT_HASH, code_hash=EMPTY_SHA3)

Json = dict[str, Any]


class ProofMethods:
    """``eth_getProof`` and ``eth_createAccessList``."""

    def __init__(self, node: Node) -> None:
        self._node = node

    def table(self) -> dict[str, Callable[..., Any]]:
        return {"eth_getProof": self.get_proof, "eth_createAccessList": self.create_access_list}

    def get_proof(self, address: Any, keys: Any, block: Any = "latest") -> Json:
        """EIP-1186: the account and storage proofs of ``address`` at ``block``."""
        account_address = params.address(address)
        slots = _storage_keys(keys)
        header = header_param(self._node, block)
        try:
            return _account_proof(self._node, header, account_address, slots)
        except MissingTrieNode as exc:
            raise UnknownBlock(f"missing trie node {exc.missing_node_hash.hex()} (state of block "
                               f"{header.block_number} is not available)") from exc

    def create_access_list(self, request: Any, block: Any = "latest") -> Json:
        """geth's ``eth_createAccessList``: the list the call touches and the gas it then uses. It runs the
        call several times at its whole allowance, so always in the heavy lane (``devnet.lanes``)."""
        header, message = header_param(self._node, block), params.call_request(request)
        result = self._node.lanes.one_at_a_time(lambda: self._node.executor.create_access_list(message, header))
        answer: Json = {
            "accessList": access_list_json(result.access_list),
            "gasUsed": formatting.quantity(result.gas_used),
        }
        if result.error is not None:
            answer["error"] = result.error
        return answer


def access_list_json(access_list: AccessList) -> list[Json]:
    """EIP-2930's JSON form: addresses and 32-byte storage keys as 0x-hex."""
    return [
        {"address": formatting.data(address), "storageKeys": [_word(key) for key in keys]}
        for address, keys in access_list
    ]


def _storage_keys(value: Any) -> list[tuple[Any, int]]:
    """(as given, slot number) for each requested key."""
    if not isinstance(value, list):
        raise InvalidParams("storage keys must be a list")
    if len(value) > MAX_PROOF_KEYS:
        raise InvalidParams(f"too many storage keys: {len(value)} > {MAX_PROOF_KEYS}")
    return [(key, params.storage_slot(key)) for key in value]


def _account_proof(node: Node, header: BlockHeaderAPI, address: Address, slots: Sequence[tuple[Any, int]]) -> Json:
    state_trie = HexaryTrie(node.store, header.state_root)
    key = keccak(address)
    account = _account(state_trie.get(key))
    storage_trie = HexaryTrie(node.store, account.storage_root)
    return {
        "address": formatting.data(address),
        "accountProof": _proof(state_trie, key),
        "balance": formatting.quantity(account.balance),
        "codeHash": formatting.data(account.code_hash),
        "nonce": formatting.quantity(account.nonce),
        "storageHash": formatting.data(account.storage_root),
        "storageProof": [_storage_proof(storage_trie, slot) for _, slot in slots],
    }


def _account(encoded: bytes) -> Account:
    return rlp.decode(encoded, sedes=Account) if encoded else EMPTY_ACCOUNT


def _storage_proof(storage_trie: HexaryTrie, slot: int) -> Json:
    """A slot's value (the RLP of its minimal big-endian bytes) and its proof."""
    key = keccak(slot.to_bytes(32, "big"))
    encoded = storage_trie.get(key)
    value = int.from_bytes(rlp.decode(encoded), "big") if encoded else 0
    return {"key": _word(slot), "value": formatting.quantity(value), "proof": _proof(storage_trie, key)}


def _proof(trie: HexaryTrie, key: bytes) -> list[str]:
    """The RLP of each node on ``key``'s path that is stored by hash (plus the root)."""
    if Hash32(trie.root_hash) == BLANK_ROOT_HASH:
        return []
    encoded = [rlp.encode(node) for node in trie.get_proof(key)]  # type: ignore[no-untyped-call]
    return [formatting.data(item) for index, item in enumerate(encoded) if index == 0 or len(item) >= 32]


def _word(value: int) -> str:
    return formatting.data(value.to_bytes(32, "big"))
