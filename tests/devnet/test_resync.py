"""Resync: the stored chain re-executed from genesis on a fresh py-evm, and tamper drills on a copy of
its SQLite file, each found and named with its block (issue 16, replay step 1)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import rlp
from devnet_support import artifact
from eth._utils.address import generate_contract_address
from eth.abc import BlockHeaderAPI
from eth.db.schema import SchemaV1
from eth.vm.forks.prague.blocks import PragueBlockHeader
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, BlockNumber
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from devnet.accounts import dev_accounts, dev_config
from devnet.cli import main
from devnet.config import DEV_VALIDATOR_KEY
from devnet.datadir import STORE_FILE
from devnet.node import Node
from devnet.resync import resync
from devnet.seal import sign_header

BLOCKS, PER_BLOCK = 6, 3
BUMP = keccak(text="bump(bytes32)")[:4]


def _tag(block: int, index: int) -> bytes:
    return (0xC0FFEE * 1000 + block * 10 + index).to_bytes(32, "big")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed chain: block 1 deploys Counter, blocks 2..7 bump it PER_BLOCK times, block 8 a transfer."""
    data_dir = tmp_path_factory.mktemp("resync") / "chain"
    node = Node(dev_config(data_dir, port=0))
    sender, other = dev_accounts(2)
    nonce = iter(range(10_000))

    def send(tx: dict[str, object]) -> None:
        tx.update(nonce=next(nonce), chainId=1337, maxFeePerGas=10**10, maxPriorityFeePerGas=10**9)
        node.intake.submit(bytes(sender.sign_transaction(tx).raw_transaction))

    send({"data": artifact("counter")["bytecode"], "gas": 1_000_000})
    node.mine_pending()
    counter = to_checksum_address(generate_contract_address(Address(bytes.fromhex(sender.address[2:])), 0))
    for block in range(BLOCKS):
        for index in range(PER_BLOCK):
            send({"to": counter, "data": BUMP + _tag(block, index), "gas": 100_000})
        node.mine_pending()
    send({"to": other.address, "value": 5, "gas": 21_000})
    node.mine_pending()
    node.close()
    return data_dir


HEAD = 1 + BLOCKS + 1
TRANSACTIONS = 1 + BLOCKS * PER_BLOCK + 1


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A throwaway copy of the data directory: drills edit this, never the built chain."""
    target = tmp_path / "copy"
    target.mkdir()
    shutil.copy(built / STORE_FILE, target / STORE_FILE)
    return target


def test_a_clean_chain_resyncs_with_its_block_and_transaction_counts(copy: Path) -> None:
    before = hashlib.sha256((copy / STORE_FILE).read_bytes()).digest()
    seen: list[tuple[int, int]] = []
    report = resync(copy, progress=lambda done, total: seen.append((done, total)))
    assert (report.blocks, report.transactions, report.mismatches) == (HEAD, TRANSACTIONS, [])
    assert report.ok
    assert seen == [(number, HEAD) for number in range(1, HEAD + 1)]
    assert hashlib.sha256((copy / STORE_FILE).read_bytes()).digest() == before  # opened read-only


def test_a_running_node_can_be_resynced_while_it_mines(tmp_path: Path) -> None:
    node = Node(dev_config(tmp_path / "live", port=0))  # holds the data-directory lock
    try:
        node.mine()
        assert resync(tmp_path / "live").ok
        miner = threading.Thread(target=lambda: [node.mine() for _ in range(40)])
        miner.start()
        reports = [resync(tmp_path / "live") for _ in range(3)]  # each a head the node has since passed
        miner.join()
        assert all(report.ok for report in reports), [report.mismatches for report in reports]
        assert resync(tmp_path / "live").blocks == 41
    finally:
        node.close()


# -- tamper drills ---------------------------------------------------------------------


def _header(db: sqlite3.Connection, number: int) -> BlockHeaderAPI:
    block_hash = _canonical_hash(db, number)
    (value,) = db.execute("SELECT v FROM kv WHERE k = ?", (block_hash,)).fetchone()
    return rlp.decode(value, sedes=PragueBlockHeader)  # type: ignore[no-any-return]


def _canonical_hash(db: sqlite3.Connection, number: int) -> bytes:
    key = SchemaV1.make_block_number_to_hash_lookup_key(BlockNumber(number))
    (value,) = db.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
    return rlp.decode(value, sedes=rlp.sedes.binary)  # type: ignore[no-any-return]


def _edit(copy: Path, key: bytes, change: bytes = b"\x01", at: int = -1) -> None:
    """Flip bits in one stored value, as an attacker with the file would."""
    with sqlite3.connect(copy / STORE_FILE) as db:
        (value,) = db.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        value = bytearray(value)
        value[at] ^= change[0]
        db.execute("UPDATE kv SET v = ? WHERE k = ?", (bytes(value), key))


def test_drill_a_stored_transaction_changed_on_disk(copy: Path) -> None:
    number, wanted = 4, BUMP + _tag(2, 1)  # blocks 2..7 hold the bumps: block 4 is bump round 2
    with sqlite3.connect(copy / STORE_FILE) as db:
        rows = [(bytes(k), bytes(v)) for k, v in db.execute("SELECT k, v FROM kv") if wanted in bytes(v)]
        (key, value), = rows  # the transaction trie's leaf that holds it
        db.execute("UPDATE kv SET v = ? WHERE k = ?", (value.replace(wanted, BUMP + _tag(9, 9)), key))
    report = resync(copy)
    assert report.mismatches[0].startswith(f"block {number}: transactions root: the stored transactions give")
    assert report.mismatches[1:] == [f"blocks {number + 1}..{HEAD}: not re-executed (the state they start from is "
                                     "unknown); only their seals and links were checked"]
    assert report.blocks == number - 1


def test_drill_a_stored_state_node_changed_on_disk(copy: Path) -> None:
    number = 5
    with sqlite3.connect(copy / STORE_FILE) as db:
        root = _header(db, number).state_root
    _edit(copy, root)  # the account trie's root node of block 5 now points elsewhere
    report = resync(copy)
    assert report.mismatches == [
        f"block {number}: stored node 0x{root.hex()} differs from re-execution (altered on disk)"
    ]
    assert report.blocks == HEAD  # the state is re-derived, so every block is still re-executed


def test_drill_history_rewritten_from_a_block_and_resealed_with_the_validator_key(copy: Path) -> None:
    """An insider holding the validator key forges block 3's state root and re-seals every later block:
    seals and links all check out, and only re-execution finds it."""
    number, forged = 3, keccak(b"forged state")
    key = PrivateKey(DEV_VALIDATOR_KEY)
    with sqlite3.connect(copy / STORE_FILE) as db:
        parent = _canonical_hash(db, number - 1)
        for n in range(number, HEAD + 1):
            header = _header(db, n).copy(parent_hash=parent)
            header = sign_header(header.copy(state_root=forged) if n == number else header, key)
            parent = header.hash
            lookup = SchemaV1.make_block_number_to_hash_lookup_key(BlockNumber(n))
            db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (header.hash, rlp.encode(header)))
            db.execute("UPDATE kv SET v = ? WHERE k = ?", (rlp.encode(header.hash, sedes=rlp.sedes.binary), lookup))
        db.execute("UPDATE kv SET v = ? WHERE k = ?", (parent, SchemaV1.make_canonical_head_hash_lookup_key()))
    report = resync(copy)
    assert report.mismatches[0].startswith(f"block {number}: state root: re-execution gives 0x")
    assert report.mismatches[0].endswith(f"the header says 0x{forged.hex()}")
    assert report.mismatches[1].startswith(f"blocks {number + 1}..{HEAD}: not re-executed")
    assert len(report.mismatches) == 2 and report.blocks == number - 1


def test_drill_a_header_seal_altered(copy: Path) -> None:
    number = 6
    with sqlite3.connect(copy / STORE_FILE) as db:
        block_hash = _canonical_hash(db, number)
    _edit(copy, block_hash, b"\x80", at=-40)  # a byte of the signature inside extraData
    report = resync(copy)
    assert [line.split(":")[0] for line in report.mismatches] == [f"block {number}", f"block {number}"]
    assert "stored header does not hash to its block hash" in report.mismatches[0]
    assert report.mismatches[1].startswith(f"block {number}: seal: ")
    assert report.blocks == HEAD  # a bad seal does not stop re-execution


def test_drill_a_block_deleted_and_the_genesis_edited(copy: Path) -> None:
    with sqlite3.connect(copy / STORE_FILE) as db:
        db.execute("DELETE FROM kv WHERE k = ?", (_canonical_hash(db, 2),))
    report = resync(copy)
    assert report.mismatches[0].startswith("block 2: missing or undecodable in the store")
    assert report.mismatches[1].startswith(f"blocks 2..{HEAD}: not re-executed")
    with sqlite3.connect(copy / STORE_FILE) as db:
        db.execute("UPDATE meta SET v = replace(v, '\"gas_limit\":30000000', '\"gas_limit\":30000001')")
    assert resync(copy).mismatches[0].startswith("genesis: stored hash 0x")


def test_the_cli_resyncs_and_exits_1_naming_each_mismatch(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resync", "--data-dir", str(copy)]) == 0
    assert f"{HEAD} blocks, {TRANSACTIONS} transactions re-executed" in capsys.readouterr().out
    with sqlite3.connect(copy / STORE_FILE) as db:
        root = _header(db, 2).state_root
    _edit(copy, root)
    assert main(["resync", "--data-dir", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"block 2: stored node 0x{root.hex()}" in out and "1 mismatch" in out
    assert main(["resync", "--data-dir", str(copy / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("devnet: error: no chain store at")
    (copy / "garbage").mkdir()
    (copy / "garbage" / STORE_FILE).write_bytes(b"not a database" * 100)
    assert main(["resync", "--data-dir", str(copy / "garbage")]) == 2
    assert capsys.readouterr().err.startswith("devnet: error: not a devnet store: file is not a database")


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE logs SET data = zeroblob(32) WHERE block_number = 3 AND log_index = 1", "log index"),
        ("DELETE FROM logs WHERE block_number = 3 AND log_index = 2", "log index"),
        ("UPDATE txs SET sender = zeroblob(20) WHERE block_number = 3 AND tx_index = 0", "transaction index"),
    ],
)
def test_drill_the_node_s_indexes_edited(copy: Path, sql: str, named: str) -> None:
    """eth_getLogs and receipts are answered from these tables: an edit would feed every reader forged events."""
    with sqlite3.connect(copy / STORE_FILE) as db:
        db.execute(sql)
    report = resync(copy)
    assert len(report.mismatches) == 1 and report.mismatches[0].startswith(f"block 3: {named}: ")
    assert report.blocks == HEAD


def test_drill_history_cut_off_by_moving_the_head_back(copy: Path) -> None:
    with sqlite3.connect(copy / STORE_FILE) as db:
        earlier = _canonical_hash(db, HEAD - 2)
        db.execute("UPDATE kv SET v = ? WHERE k = ?", (earlier, SchemaV1.make_canonical_head_hash_lookup_key()))
    report = resync(copy)
    assert report.mismatches == [f"block {HEAD - 1}: stored beyond the canonical head {HEAD - 2} (history cut off?)"]
    with sqlite3.connect(copy / STORE_FILE) as db:  # pointers gone too: the index rows still tell
        for number in (HEAD - 1, HEAD):
            lookup = SchemaV1.make_block_number_to_hash_lookup_key(BlockNumber(number))
            db.execute("DELETE FROM kv WHERE k = ?", (lookup,))
    assert resync(copy).mismatches == [f"block {HEAD}: stored beyond the canonical head {HEAD - 2} (history cut off?)"]
