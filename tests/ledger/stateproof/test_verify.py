"""State proofs checked without a node: a state built here in py-evm's trie (the reference), a header
sealed here with the devnet's ``sign_header``, and every way a node could lie — a tampered node, a
wrong value, another state root, a foreign seal, someone else's code — each failing with its reason."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import rlp
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth_keys.datatypes import PrivateKey
from eth_utils.crypto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from trie.hexary import HexaryTrie

from devnet.formatting import header_fields
from devnet.seal import sign_header
from ledger.errors import VerificationError
from ledger.stateproof import Expected, ProofFailed, verify
from ledger.stateproof.mpt import BLANK_ROOT, proven_value
from ledger.stateproof.verify import EMPTY_CODE_HASH

VALIDATOR = PrivateKey(b"\x07" * 32)
VALIDATOR_ADDRESS = VALIDATOR.public_key.to_canonical_address()
CONTRACT = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
CODE_HASH = keccak(b"the contract's runtime code")
SLOTS = {0: 7, 1: 2**160 - 1, 2**255: 1}


def hexed(data: bytes) -> str:
    return "0x" + data.hex()


def proof_of(trie: HexaryTrie, key: bytes) -> list[str]:
    return [hexed(rlp.encode(node)) for node in trie.get_proof(keccak(key))]


Json = dict[str, Any]


def world(slots: dict[int, int] = SLOTS, others: int = 40, of: bytes = CONTRACT) -> tuple[Json, Json]:
    """A state with ``CONTRACT`` holding ``slots`` among ``others`` accounts, its sealed header, and the
    eth_getProof answer of account ``of`` for every slot in ``slots`` plus slot 5 (empty)."""
    storage = HexaryTrie({})
    for slot, value in slots.items():
        storage[keccak(slot.to_bytes(32, "big"))] = rlp.encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
    state = HexaryTrie({})
    for _ in range(others):
        state[keccak(secrets.token_bytes(20))] = rlp.encode([1, 10**18, BLANK_ROOT, EMPTY_CODE_HASH])
    state[keccak(CONTRACT)] = rlp.encode([1, 0, storage.root_hash, CODE_HASH])
    header = PragueBlockHeader(difficulty=0, block_number=9, gas_limit=30_000_000, timestamp=1_700_000_000,
                               state_root=state.root_hash, extra_data=b"\0" * 32)
    block = header_fields(sign_header(header, VALIDATOR))
    keys = [*slots, 5]
    storage_proof = [{"key": hexed(k.to_bytes(32, "big")), "value": hex(slots.get(k, 0)),
                      "proof": proof_of(storage, k.to_bytes(32, "big"))} for k in keys]
    return block, {"accountProof": proof_of(state, of), "storageProof": storage_proof}


def expected(slots: list[int], code_hash: bytes | None = CODE_HASH, address: bytes = CONTRACT) -> Expected:
    return Expected(address, slots, VALIDATOR_ADDRESS, code_hash)


def failure(block: dict[str, Any], proof: dict[str, Any], asked: Expected) -> dict[str, str]:
    verdict = verify(block, proof, asked)
    with pytest.raises(ProofFailed) as raised:
        verdict.raise_if_failed()
    assert isinstance(raised.value, VerificationError)
    return {check.name: check.detail for check in verdict.checks if not check.ok}


def test_a_proof_verifies_and_proves_each_value_and_an_empty_slot() -> None:
    block, proof = world()
    verdict = verify(block, proof, expected([*SLOTS, 5]))
    verdict.raise_if_failed()
    assert verdict.ok and dict(verdict.values) == {**SLOTS, 5: 0}
    assert [c.name for c in verdict.checks] == ["block hash", "seal", "account", "code", "slot 0x0", "slot 0x1",
                                                f"slot {2**255:#x}", "slot 0x5"]
    assert verdict.block.number == 9


def test_an_absent_account_is_proven_absent() -> None:
    stranger = secrets.token_bytes(20)
    block, proof = world(of=stranger)
    verdict = verify(block, {**proof, "storageProof": [{"key": "0x0", "value": "0x0", "proof": []}]},
                     Expected(stranger, [0], VALIDATOR_ADDRESS, EMPTY_CODE_HASH))
    verdict.raise_if_failed()
    assert [c.detail for c in verdict.checks if c.name == "account"] == ["proven absent (an empty account)"]
    assert verdict.values == {0: 0}


def test_a_tampered_node_fails() -> None:
    block, proof = world()
    nodes = proof["accountProof"]
    tampered = {**proof, "accountProof": [*nodes[:-1], nodes[-1][:-2] + "00"]}
    failed = failure(block, tampered, expected([0]))
    assert "account proof: Missing proof node with hash" in failed["account"]  # the tampered node hashes to nothing
    assert failed["slot 0x0"] == "slot 0x0: not checked, the account is not proven"


def test_a_tampered_value_fails() -> None:
    block, proof = world()
    entries = [dict(entry) for entry in proof["storageProof"]]
    entries[0]["value"] = "0x8"
    failed = failure(block, {**proof, "storageProof": entries}, expected([0]))
    assert failed == {"slot 0x0": "slot 0x0: the node says 0x8, its proof says 0x7"}


def test_another_state_root_fails_the_hash_and_the_proof() -> None:
    block, proof = world()
    forged = {**block, "stateRoot": hexed(keccak(b"another state"))}
    failed = failure(forged, proof, expected([0]))
    assert failed["block hash"].startswith("block hash: the fields hash to 0x")
    assert "account proof: Missing proof node with hash" in failed["account"]  # nothing hashes to the root


def test_a_header_resealed_by_another_key_fails_the_seal() -> None:
    block, proof = world()
    other = PrivateKey(b"\x05" * 32)
    header = PragueBlockHeader(difficulty=0, block_number=9, gas_limit=30_000_000, timestamp=1_700_000_000,
                               state_root=bytes.fromhex(block["stateRoot"][2:]), extra_data=b"\0" * 32)
    resealed = header_fields(sign_header(header, other))
    failed = failure(resealed, proof, expected([0]))
    assert failed == {"seal": f"seal: sealed by {hexed(other.public_key.to_canonical_address())}, "
                              f"not by the validator {hexed(VALIDATOR_ADDRESS)}"}


def test_an_unsealed_header_fails_the_seal() -> None:
    block, proof = world()
    failed = failure({**block, "extraData": "0x" + "00" * 32}, proof, expected([0]))
    assert set(failed) == {"block hash", "seal"} and "to hold a seal" in failed["seal"]


def test_someone_elses_code_fails() -> None:
    block, proof = world()
    failed = failure(block, proof, expected([0], code_hash=keccak(b"other code")))
    assert set(failed) == {"code"} and "the artifact's" in failed["code"]


def test_a_slot_the_node_left_out_fails() -> None:
    block, proof = world()
    failed = failure(block, proof, expected([3]))
    assert failed == {"slot 0x3": "slot 0x3: the node sent no proof for it"}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.binary(min_size=1, max_size=40), st.binary(min_size=1, max_size=40), max_size=30),
       st.binary(min_size=1, max_size=40))
def test_a_proof_read_from_the_wire_gives_the_tries_own_value(entries: dict[bytes, bytes], other: bytes) -> None:
    reference = HexaryTrie({})
    for key, value in entries.items():
        reference[keccak(key)] = value
    for key in [*entries, other]:
        nodes = [rlp.encode(node) for node in reference.get_proof(keccak(key))]
        assert proven_value(reference.root_hash, key, nodes, "test") == reference.get(keccak(key))
