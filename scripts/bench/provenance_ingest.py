"""Provenance log, end to end: JSON event → canonicalise (RFC 8785) → leaf hash (RFC 9162)
→ store → seal (tree nodes + signed head) → anchor on the embedded devnet, on SQLite and on
PostgreSQL; then proof reads from the SQL store at that size.

    python scripts/bench/provenance_ingest.py [N]     (default N = 200,000; batches of 20,000)

Target (exit status 1 if missed): >= 20,000 events/s end to end on SQLite.
"""

from __future__ import annotations

import importlib.util
import random
import socket
import sys
import tempfile
import time
from pathlib import Path

from eth_account import Account
from nacl.signing import SigningKey

from devnet import DevnetConfig
from ledger.chain import TransactionSender, deployment
from ledger.chain.backends.embedded import EmbeddedChain, genesis_config
from ledger.contracts.provenance_log import NAME, ProvenanceLog
from ledger.migrations import open_engine
from ledger.provenance import AnchorTarget, Event, LogStore, Sequencer, prover

ROOT = Path(__file__).resolve().parents[2]
BATCH = 20_000
TARGET = 20_000


def documents(n: int) -> list[dict[str, object]]:
    return [{"action": "ACCESS", "actor": "0x" + f"{i % 50:040x}", "subject": f"{i % 10_000:064x}",
             "assets": [f"{i:064x}"], "purpose": "credit-assessment", "consent": "0x" + f"{i % 977:064x}",
             "request_id": f"req-{i}", "time": "2026-11-24T15:20:00.000000Z"} for i in range(n)]


def ingest(db_url: str, chain: EmbeddedChain, n: int) -> tuple[float, LogStore]:
    operator = Account.from_key(OPERATOR_KEY)
    sender = TransactionSender(chain, operator)
    key = SigningKey.generate()
    dep = deployment.deploy(sender, b"o" * 32, bytes(key.verify_key),
                            [(Account.create().address, b"r" * 32, b"k" * 32)])  # a genesis regulator
    log = ProvenanceLog(deployment.contract(chain, dep, NAME))
    store = LogStore(open_engine(db_url))
    sequencer = Sequencer(store, key, lambda: time.time_ns() // 1_000_000, AnchorTarget(log, sender))
    docs = documents(n)
    began = time.perf_counter()
    for start in range(0, n, BATCH):
        sequencer.append([Event.from_json(d) for d in docs[start : start + BATCH]])
        sequencer.seal()
        sequencer.anchor()
    seconds = time.perf_counter() - began
    assert log.latest() is not None and log.latest().tree_size == n  # type: ignore[union-attr]
    return seconds, store


def proof_reads(store: LogStore, size: int) -> tuple[float, float, float]:
    """Seconds per proof read from the SQL store: one-shot inclusion, inclusion served by a
    ``Prover`` (one query for the siblings below the right edge), consistency."""
    picks = [random.randrange(size) for _ in range(500)]
    began = time.perf_counter()
    for i in picks:
        prover.inclusion_proof(i, size, store)
    inclusion = (time.perf_counter() - began) / len(picks)
    served_by = prover.Prover(store)
    served_by.inclusion_proof(size - 1, size)
    began = time.perf_counter()
    for i in picks:
        served_by.inclusion_proof(i, size)
    served = (time.perf_counter() - began) / len(picks)
    began = time.perf_counter()
    for i in picks[:100]:
        prover.consistency_proof(max(1, i), size, store)
    return inclusion, served, (time.perf_counter() - began) / 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


OPERATOR_KEY = "0x" + "42" * 32  # dev-only, generated chain in a temporary folder


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    spec = importlib.util.spec_from_file_location("pg", ROOT / "scripts" / "throwaway_postgres.py")
    assert spec and spec.loader
    pg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pg)
    print(f"{n:,} events in batches of {BATCH:,}; each batch appended, sealed, signed, anchored")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        config: DevnetConfig = genesis_config(Path(tmp) / "devnet", Account.from_key(OPERATOR_KEY).address,
                                              b"\x07" * 32)
        chain = EmbeddedChain(config, lambda: None)
        try:
            with pg.throwaway_server(free_port()) as pg_url:
                for name, url in (("SQLite", f"sqlite:///{tmp}/log.sqlite"), ("PostgreSQL", pg_url)):
                    seconds, store = ingest(url, chain, n)
                    rates[name] = n / seconds
                    inclusion, served, consistency = proof_reads(store, n)
                    print(f"  {name:<11} {seconds:6.2f} s = {rates[name]:9,.0f} events/s   "
                          f"proofs from the store at {n:,}: inclusion {inclusion * 1e3:.2f} ms "
                          f"({served * 1e3:.2f} ms by a Prover), consistency {consistency * 1e3:.2f} ms")
                    store.engine.dispose()
        finally:
            chain.close()
    ok = rates["SQLite"] >= TARGET
    print(f"  SQLite target >= {TARGET:,} events/s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
