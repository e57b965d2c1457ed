"""Hostile raw transactions: what intake refuses (and with which code), and a block that still seals
when one candidate cannot be applied."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, Hash32
from eth_utils.crypto import keccak

from devnet.accounts import dev_accounts
from devnet.methods import method_table
from devnet.node import Node
from devnet.rpc import Dispatcher
from devnet.txpool import PendingTx

CHAIN_ID = 1337
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TO = bytes.fromhex("11" * 20)
SET_CODE = 4


def address(account: LocalAccount) -> Address:
    return Address(bytes.fromhex(account.address[2:]))


def transfer(account: LocalAccount, nonce: int = 0, **fields: Any) -> bytes:
    tx: dict[str, Any] = {"to": "0x" + TO.hex(), "value": 1, "gas": 21_000, "nonce": nonce, "chainId": CHAIN_ID,
          "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}  # fmt: skip
    tx.update(fields)
    return bytes(account.sign_transaction(tx).raw_transaction)


def legacy(account: LocalAccount, nonce: int = 0) -> bytes:
    tx: dict[str, Any] = {
        "to": "0x" + TO.hex(),
        "value": 1,
        "gas": 21_000,
        "nonce": nonce,
        "chainId": CHAIN_ID,
        "gasPrice": 10**10,
    }
    return bytes(account.sign_transaction(tx).raw_transaction)


def access_list_tx(account: LocalAccount, nonce: int = 0) -> bytes:
    tx: dict[str, Any] = {"to": "0x" + TO.hex(), "value": 1, "gas": 30_000, "nonce": nonce, "chainId": CHAIN_ID,
          "gasPrice": 10**10, "accessList": [{"address": "0x" + TO.hex(), "storageKeys": []}]}  # fmt: skip
    return bytes(account.sign_transaction(tx).raw_transaction)


def authorization(account: LocalAccount, nonce: int) -> list[Any]:
    signed: Any = account.sign_authorization({"chainId": CHAIN_ID, "address": "0x" + "22" * 20, "nonce": nonce})
    return [signed.chain_id, bytes(signed.address), signed.nonce, signed.y_parity, signed.r, signed.s]


def set_code(account: LocalAccount, to: bytes = TO, auths: list[Any] | None = None, nonce: int = 0) -> bytes:
    """An EIP-7702 transaction, RLP-built and signed here: eth_account refuses the hostile shapes."""
    fields = [CHAIN_ID, nonce, 10**9, 10**10, 100_000, to, 0, b"", [], auths or []]
    signature = PrivateKey(account.key).sign_msg_hash(keccak(bytes([SET_CODE]) + rlp.encode(fields)))
    return bytes([SET_CODE]) + bytes(rlp.encode([*fields, signature.v, signature.r, signature.s]))


def high_s(raw: bytes) -> bytes:
    """The same signature with ``s`` replaced by ``n - s`` (and the parity flipped): the same sender,
    malleated, which EIP-2 forbids."""
    if raw[0] >= 0xC0:  # legacy: [nonce, gasPrice, gas, to, value, data, v, r, s], v = 35 + 2 chainId + parity
        fields = rlp.decode(raw)
        v = int.from_bytes(fields[6], "big")
        fields[6] = v + 1 if v % 2 else v - 1
        fields[8] = SECP256K1_N - int.from_bytes(fields[8], "big")
        return bytes(rlp.encode(fields))
    fields = rlp.decode(raw[1:])
    fields[-3] = 1 - int.from_bytes(fields[-3], "big")
    fields[-1] = SECP256K1_N - int.from_bytes(fields[-1], "big")
    return raw[:1] + bytes(rlp.encode(fields))


def send(node: Node, raw: bytes) -> dict[str, Any]:
    request = {"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x" + raw.hex()]}
    answer = Dispatcher(method_table(node)).handle(request)
    assert isinstance(answer, dict)
    return answer


def refusal(node: Node, raw: bytes) -> tuple[int, str]:
    error = send(node, raw)["error"]
    return error["code"], error["message"]


def initcode_tx(account: LocalAccount, size: int) -> bytes:
    return bytes(account.sign_transaction({
        "value": 0, "gas": 5_000_000, "nonce": 0, "chainId": CHAIN_ID, "data": b"\0" * size,
        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
    }).raw_transaction)  # fmt: skip


# -- unbuildable transactions are refused at intake --------------------------------------------------


def test_eip7702_without_authorizations_is_refused(node: Node, accounts: list[LocalAccount]) -> None:
    assert refusal(node, set_code(accounts[0])) == (-32000, "EIP-7702 transaction with empty auth list")
    assert len(node.pool) == 0


def test_eip7702_creating_a_contract_is_refused(node: Node, accounts: list[LocalAccount]) -> None:
    raw = set_code(accounts[0], to=b"", auths=[authorization(accounts[0], 1)])
    assert refusal(node, raw) == (-32000, "EIP-7702 transaction cannot be used to create contract")


def test_eip3860_initcode_over_the_limit_is_refused(node: Node, accounts: list[LocalAccount]) -> None:
    code, message = refusal(node, initcode_tx(accounts[0], 49_153))
    assert (code, message) == (-32003, "max initcode size exceeded: code size 49153, limit 49152")
    assert "result" in send(node, initcode_tx(accounts[1], 49_152))


@pytest.mark.parametrize("kind", ["legacy", "access list", "dynamic fee", "set code"])
def test_eip2_high_s_signatures_are_refused(node: Node, accounts: list[LocalAccount], kind: str) -> None:
    account = accounts[0]
    raw = {
        "legacy": lambda: legacy(account),
        "access list": lambda: access_list_tx(account),
        "dynamic fee": lambda: transfer(account),
        "set code": lambda: set_code(account, auths=[authorization(account, 1)]),
    }[kind]()
    assert refusal(node, high_s(raw)) == (-32000, "invalid sender: invalid transaction v, r, s values")
    assert "result" in send(node, raw)  # the low-s original is fine


def test_eip7623_gas_below_the_calldata_floor_is_refused(node: Node, accounts: list[LocalAccount]) -> None:
    data = b"\x01" * 1000  # intrinsic gas 37,000; floor 21,000 + 10 * 4 * 1000 = 61,000
    raw = transfer(accounts[0], gas=40_000, data=data)
    assert refusal(node, raw) == (-32000, "insufficient gas for floor data gas cost: gas 40000, minimum needed 61000")
    assert "result" in send(node, transfer(accounts[0], gas=61_000, data=data))


def test_one_bad_transaction_does_not_cost_other_senders_their_block(node: Node, accounts: list[LocalAccount]) -> None:
    assert "error" in send(node, set_code(accounts[0]))
    good = [send(node, transfer(account))["result"] for account in accounts[1:4]]
    block = node.mine_pending()
    assert block is not None and len(block.transactions) == 3
    assert all(node.txs.get(bytes.fromhex(tx_hash[2:])) for tx_hash in good)


# -- the builder drops what it cannot apply, alone ---------------------------------------------------


def pool_directly(node: Node, raw: bytes) -> PendingTx:
    """Put ``raw`` in the pool past intake, as a transaction intake could not foresee would be."""
    head = node.head()
    tx = node.chain.get_vm_class(head).get_transaction_builder().decode(raw)
    pending = PendingTx(tx, Address(tx.sender))
    node.pool.add(pending)
    return pending


def test_builder_drops_a_failing_candidate_and_seals_the_rest(node: Node, accounts: list[LocalAccount]) -> None:
    bad = accounts[0]
    balance = node.state(node.head()).get_balance(address(bad))
    pool_directly(node, initcode_tx(bad, 49_153))  # py-evm raises OutOfGas outside the computation
    pool_directly(node, transfer(bad, nonce=1))  # can no longer apply: its nonce follows a dropped one
    pool_directly(node, set_code(accounts[1]))  # tx.validate() raises ValidationError
    pool_directly(node, transfer(dev_accounts(5)[4], gas=40_000, data=b"\x01" * 1000))  # below EIP-7623's floor
    good = [send(node, transfer(account))["result"] for account in accounts[2:4]]
    block = node.mine_pending()
    assert block is not None and block.header.gas_used == 2 * 21_000
    assert [tx.hash for tx in block.transactions] == [bytes.fromhex(h[2:]) for h in good]
    state = node.state(node.head())
    assert (state.get_nonce(address(bad)), state.get_balance(address(bad))) == (0, balance)  # reverted
    assert len(node.pool) == 0


@pytest.mark.parametrize("step", ["validate_transaction", "apply_transaction"])
def test_builder_survives_any_exception_from_one_candidate(
    node: Node, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    doomed = send(node, transfer(accounts[0]))["result"]
    kept = send(node, transfer(accounts[1]))["result"]
    state_class = type(node.state(node.head()))
    original = getattr(state_class, step)

    def explode(self: Any, tx: Any) -> Any:
        if "0x" + tx.hash.hex() == doomed:
            raise RuntimeError("unforeseen")
        return original(self, tx)

    monkeypatch.setattr(state_class, step, explode)
    block = node.mine_pending()
    assert block is not None and ["0x" + tx.hash.hex() for tx in block.transactions] == [kept]
    assert node.pool.get(bytes.fromhex(doomed[2:])) is None  # type: ignore[arg-type]


# -- error codes and messages like Anvil's (codes) and geth's (words) -------------------------------


def test_refusal_codes_follow_anvil(node: Node, accounts: list[LocalAccount]) -> None:
    sender = accounts[0]
    first = transfer(sender)
    assert "result" in send(node, first)
    assert refusal(node, first) == (-32003, "already known")
    assert refusal(node, transfer(sender, value=2))[0] == -32003  # nonce too low
    assert refusal(node, transfer(sender, nonce=1, value=10**30))[0] == -32003  # insufficient funds
    assert refusal(node, transfer(sender, nonce=1, maxFeePerGas=1, maxPriorityFeePerGas=1))[0] == -32003
    assert refusal(node, transfer(sender, nonce=1, maxPriorityFeePerGas=10**11))[0] == -32003
    assert refusal(node, transfer(sender, nonce=1, gas=20_000))[0] == -32000  # intrinsic gas too low
    assert refusal(node, transfer(sender, nonce=1, gas=31_000_000))[0] == -32000  # over the block gas limit


def test_replay_of_a_mined_transaction_is_nonce_too_low(node: Node, accounts: list[LocalAccount]) -> None:
    raw = transfer(accounts[0])
    assert "result" in send(node, raw)
    assert node.mine_pending() is not None
    assert refusal(node, raw) == (-32003, "nonce too low: next nonce 1, tx nonce 0")


# -- nonce gaps: held until they fill, like Anvil's and geth's queue ---------------------------------


def hash_of(answer: dict[str, Any]) -> Hash32:
    return Hash32(bytes.fromhex(answer["result"][2:]))


def test_a_nonce_gap_is_held_and_promoted_when_it_fills(node: Node, accounts: list[LocalAccount]) -> None:
    sender = accounts[0]
    later = [hash_of(send(node, transfer(sender, nonce))) for nonce in (2, 1)]
    assert node.intake.pending_nonce(address(sender)) == 0 and len(node.pool) == 0
    assert all(node.pool.get(tx_hash) is not None for tx_hash in later)  # served as pending transactions
    assert node.mine_pending() is None  # held transactions are never mined
    first = hash_of(send(node, transfer(sender, 0)))
    assert node.intake.pending_nonce(address(sender)) == 3 and len(node.pool) == 3
    block = node.mine_pending()
    assert block is not None and [tx.hash for tx in block.transactions] == [first, *reversed(later)]


def test_a_gap_fills_after_a_block(node: Node, accounts: list[LocalAccount]) -> None:
    sender = accounts[0]
    send(node, transfer(sender, 0))
    assert node.mine_pending() is not None
    held = hash_of(send(node, transfer(sender, 2)))
    send(node, transfer(sender, 1))
    block = node.mine_pending()
    assert block is not None and block.transactions[-1].hash == held


def test_held_transactions_are_bounded(
    node: Node, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, message = refusal(node, transfer(accounts[0], 64))
    assert (code, message.split(" (")[0]) == (-32000, "nonce too high: next nonce 0, tx nonce 64")
    send(node, transfer(accounts[0], 63))
    assert refusal(node, transfer(accounts[0], 63, value=2))[0] == -32003  # no replacement
    monkeypatch.setattr("devnet.intake.MAX_HELD", 2)
    send(node, transfer(accounts[1], 5))
    assert refusal(node, transfer(accounts[2], 5)) == (-32003, "txpool is full")


def test_a_held_transaction_refused_on_promotion_is_dropped_with_the_later_ones(
    node: Node, accounts: list[LocalAccount]
) -> None:
    sender = accounts[0]
    balance = node.state(node.head()).get_balance(address(sender))
    overdrawn = hash_of(send(node, transfer(sender, 1, value=balance - 21_000 * 10**10)))
    after = hash_of(send(node, transfer(sender, 2)))
    send(node, transfer(sender, 0))  # its cost leaves too little for nonce 1
    assert node.intake.pending_nonce(address(sender)) == 1
    assert node.pool.get(overdrawn) is None and node.pool.get(after) is None
    assert node.pool.held_count() == 0
