"""EIP-1186 ``eth_getProof``, ``eth_createAccessList``, access lists in estimates, the call gas cap.

Proofs are checked here without the node: each proof is replayed into an empty trie with
``HexaryTrie.get_from_proof`` against the ``stateRoot`` of the block's header (and the
account's ``storageHash``), which fails on any node that does not hash to its parent's link.
"""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from devnet_support import Client, connect
from eth.rlp.accounts import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from trie.hexary import HexaryTrie
from web3 import Web3
from web3.contract import Contract

from devnet import Devnet, params
from devnet.errors import ExecutionFailed
from devnet.execution import Executor

SLOT_COUNT = "0x" + "00" * 32  # Counter.count
SLOT_EMPTY = "0x" + "00" * 31 + "05"
ABSENT = "0x00000000000000000000000000000000000000aa"
TAG = b"\x01" * 32


def rpc(w3: Web3, method: str, *args: Any) -> Any:
    answer = w3.provider.make_request(method, list(args))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def decoded(proof: list[str]) -> list[Any]:
    return [rlp.decode(bytes.fromhex(node[2:])) for node in proof]


def proven_account(root: bytes, address: str, proof: list[str]) -> bytes:
    return bytes(HexaryTrie.get_from_proof(root, keccak(bytes.fromhex(address[2:])), decoded(proof)))


def proven_slot(storage_root: str, key: str, proof: list[str]) -> int:
    leaf = HexaryTrie.get_from_proof(bytes.fromhex(storage_root[2:]), keccak(bytes.fromhex(key[2:])), decoded(proof))
    return int.from_bytes(rlp.decode(leaf), "big") if leaf else 0


def state_root(w3: Web3, block: int | str = "latest") -> bytes:
    return bytes(w3.eth.get_block(block)["stateRoot"])


def bump(client: Client, account: LocalAccount, counter: Contract, tag: bytes = TAG) -> int:
    receipt = client.call_tx(account, counter.functions.bump(tag))
    assert receipt["status"] == 1
    return int(receipt["blockNumber"])


# -- eth_getProof ----------------------------------------------------------------------


def test_account_and_storage_proofs_verify_against_the_state_root(
    w3: Web3, client: Client, accounts: list[LocalAccount], counter: Contract
) -> None:
    bump(client, accounts[0], counter)
    answer = rpc(w3, "eth_getProof", counter.address, [SLOT_COUNT, SLOT_EMPTY], "latest")
    leaf = rlp.decode(proven_account(state_root(w3), counter.address, answer["accountProof"]), sedes=Account)
    assert (hex(leaf.nonce), hex(leaf.balance)) == (answer["nonce"], answer["balance"])
    assert "0x" + leaf.storage_root.hex() == answer["storageHash"]
    assert "0x" + leaf.code_hash.hex() == answer["codeHash"] == "0x" + keccak(w3.eth.get_code(counter.address)).hex()
    count, empty = answer["storageProof"]
    assert proven_slot(answer["storageHash"], count["key"], count["proof"]) == 1 and count["value"] == "0x1"
    assert proven_slot(answer["storageHash"], empty["key"], empty["proof"]) == 0 and empty["value"] == "0x0"


def test_an_absent_account_gets_an_exclusion_proof(w3: Web3, counter: Contract) -> None:
    answer = rpc(w3, "eth_getProof", ABSENT, [SLOT_COUNT], "latest")
    assert proven_account(state_root(w3), ABSENT, answer["accountProof"]) == b""
    assert answer["nonce"] == answer["balance"] == "0x0"
    assert answer["codeHash"] == "0x" + keccak(b"").hex()
    assert answer["storageHash"] == "0x" + keccak(rlp.encode(b"")).hex()
    assert answer["storageProof"] == [{"key": SLOT_COUNT, "value": "0x0", "proof": []}]


def test_a_proof_at_an_old_block_shows_that_blocks_value(
    w3: Web3, client: Client, accounts: list[LocalAccount], counter: Contract
) -> None:
    first = bump(client, accounts[0], counter)
    bump(client, accounts[0], counter)
    answer = rpc(w3, "eth_getProof", counter.address, [SLOT_COUNT], hex(first))
    proven_account(state_root(w3, first), counter.address, answer["accountProof"])
    (count,) = answer["storageProof"]
    assert proven_slot(answer["storageHash"], count["key"], count["proof"]) == 1
    assert counter.functions.count().call() == 2


def test_a_tampered_proof_does_not_verify(w3: Web3, counter: Contract) -> None:
    answer = rpc(w3, "eth_getProof", counter.address, [], "latest")
    forged = [*answer["accountProof"][:-1], answer["accountProof"][-1][:-2] + "00"]
    with pytest.raises(Exception, match="proof"):
        proven_account(state_root(w3), counter.address, forged)


def test_get_proof_has_anvils_shape(
    w3: Web3, client: Client, accounts: list[LocalAccount], counter: Contract, anvil_url: str
) -> None:
    anvil = connect(anvil_url)
    anvil_counter = Client(anvil).deploy(accounts[1], "counter")
    bump(Client(anvil), accounts[1], anvil_counter)
    bump(client, accounts[0], counter)
    ours = rpc(w3, "eth_getProof", counter.address, [SLOT_COUNT, SLOT_EMPTY], "latest")
    theirs = rpc(anvil, "eth_getProof", anvil_counter.address, [SLOT_COUNT, SLOT_EMPTY], "latest")
    assert sorted(ours) == sorted(theirs)
    assert ours["storageHash"] == theirs["storageHash"] and ours["codeHash"] == theirs["codeHash"]
    assert ours["storageProof"] == theirs["storageProof"]  # same contract storage: same trie


# -- eth_createAccessList and access lists in calls --------------------------------------


def bump_call(account: LocalAccount, counter: Contract, tag: bytes = TAG) -> dict[str, Any]:
    data = counter.functions.bump(tag)._encode_transaction_data()
    return {"from": account.address, "to": counter.address, "data": data}


def test_create_access_list_matches_anvil(
    w3: Web3, accounts: list[LocalAccount], counter: Contract, anvil_url: str
) -> None:
    anvil = connect(anvil_url)
    anvil_counter = Client(anvil).deploy(accounts[1], "counter")
    ours = rpc(w3, "eth_createAccessList", bump_call(accounts[0], counter), "latest")
    theirs = rpc(anvil, "eth_createAccessList", bump_call(accounts[1], anvil_counter), "latest")
    (entry,) = theirs["accessList"]
    keys = sorted(entry["storageKeys"])  # Anvil's order varies; ours is sorted
    assert ours == {**theirs, "accessList": [{"address": counter.address.lower(), "storageKeys": keys}]}
    assert keys[0] == SLOT_COUNT  # `count`, and the slot of `tags[TAG]`


TOUCHING = "41315073" + "aa" * 20 + "3150" + "6000600060006000600162" + "0186a0" + "fa" + "5000"
"""Initcode: BALANCE(COINBASE), BALANCE(0xaa…aa), STATICCALL(100,000 gas, precompile 0x01), STOP."""


def test_create_access_list_leaves_out_sender_new_contract_precompiles_and_the_warm_coinbase(
    w3: Web3, accounts: list[LocalAccount], anvil_url: str
) -> None:
    create = {"from": accounts[0].address, "data": "0x" + TOUCHING}
    ours = rpc(w3, "eth_createAccessList", create, "latest")
    theirs = rpc(connect(anvil_url), "eth_createAccessList", create, "latest")
    assert ours["accessList"] == [{"address": "0x" + "aa" * 20, "storageKeys": []}]
    coinbase = {"address": "0x" + "00" * 20, "storageKeys": []}  # both chains' coinbase is the zero address
    listed = sorted(theirs["accessList"], key=lambda entry: entry["address"])  # Anvil's order varies
    assert listed == [coinbase, *ours["accessList"]]  # Anvil (as geth) lists the coinbase the call touched
    assert int(theirs["gasUsed"], 16) - int(ours["gasUsed"], 16) == 2400  # which costs 2,400 and saves nothing


def test_create_access_list_reports_a_revert_as_geth_does(
    w3: Web3, accounts: list[LocalAccount], counter: Contract
) -> None:
    call = {"from": accounts[0].address, "to": counter.address,
            "data": counter.functions.fail("no")._encode_transaction_data()}
    answer = rpc(w3, "eth_createAccessList", call, "latest")
    assert answer["error"] == "execution reverted: no" and answer["accessList"] == []


def test_an_estimate_with_an_access_list_is_enough_for_the_type_1_transaction(
    w3: Web3, client: Client, accounts: list[LocalAccount], counter: Contract
) -> None:
    access_list = [{"address": counter.address, "storageKeys": [SLOT_COUNT]}]
    call = {**bump_call(accounts[0], counter), "accessList": access_list}
    gas = int(rpc(w3, "eth_estimateGas", call, "latest"), 16)
    tx = {**call, "type": 1, "gas": gas, "gasPrice": 10**10, "chainId": w3.eth.chain_id,
          "nonce": w3.eth.get_transaction_count(accounts[0].address)}
    raw = accounts[0].sign_transaction(tx).raw_transaction
    receipt = client.wait(bytes(w3.eth.send_raw_transaction(raw)))
    assert receipt["status"] == 1 and receipt["type"] == 1


def test_eth_call_counts_the_access_lists_intrinsic_gas(
    w3: Web3, accounts: list[LocalAccount], counter: Contract
) -> None:
    call = bump_call(accounts[0], counter)
    bare = int(rpc(w3, "eth_estimateGas", call, "latest"), 16)
    listed = {**call, "gas": hex(bare), "accessList": [{"address": accounts[2].address, "storageKeys": []}]}
    rpc(w3, "eth_call", {**call, "gas": hex(bare)}, "latest")
    answer = w3.provider.make_request("eth_call", [listed, "latest"])  # type: ignore[arg-type]
    assert answer["error"]["message"] == f"gas required exceeds allowance ({bare})"


def test_a_malformed_access_list_is_invalid_params(w3: Web3, accounts: list[LocalAccount], counter: Contract) -> None:
    call = {**bump_call(accounts[0], counter), "accessList": [{"address": counter.address, "storageKeys": ["0x1"]}]}
    answer = w3.provider.make_request("eth_estimateGas", [call])  # type: ignore[arg-type]
    assert answer["error"]["code"] == -32602 and "storage key" in answer["error"]["message"]


# -- the call gas cap --------------------------------------------------------------------


def test_calls_never_run_with_more_gas_than_the_cap(
    devnet: tuple[Devnet, str], accounts: list[LocalAccount], counter: Contract
) -> None:
    node = devnet[0].node
    executor = Executor(node.chain, call_gas_cap=100_000)
    call = {"from": accounts[0].address, "to": counter.address, "gas": hex(10**9),
            "data": counter.functions.bumpMany(TAG, 1000)._encode_transaction_data()}
    request = params.call_request(call)
    with pytest.raises(ExecutionFailed, match=r"gas required exceeds allowance \(100000\)"):
        executor.estimate_gas(request, node.head())
    assert node.executor.estimate_gas(request, node.head()) > 100_000
