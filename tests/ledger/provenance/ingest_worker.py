"""A sequencer process for the crash test: appends batches forever, sealing and anchoring
every few, and prints what it acknowledged. The test kills it with SIGKILL.

    python ingest_worker.py DB_URL RPC_URL PROVENANCE_LOG_ADDRESS   (operator key in OPERATOR_KEY)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from eth_account import Account
from nacl.signing import SigningKey

sys.path.insert(0, str(Path(__file__).parent))
from provenance_world import clock, event

from ledger.chain import DeployedContract, TransactionSender, artifact, connect
from ledger.contracts import ProvenanceLog
from ledger.migrations import open_engine
from ledger.provenance import AnchorTarget, LogStore, Sequencer


def main() -> None:
    db_url, rpc_url, address = sys.argv[1:4]
    chain = connect(rpc_url)
    log = ProvenanceLog(DeployedContract(chain, artifact.load("ProvenanceLog"), address))  # type: ignore[arg-type]
    sender = TransactionSender(chain, Account.from_key(os.environ["OPERATOR_KEY"]))
    key = SigningKey(bytes.fromhex(os.environ["SIGNING_SEED"]))
    sequencer = Sequencer(LogStore(open_engine(db_url)), key, clock, AnchorTarget(log, sender))
    sequencer.catch_up()
    batch = 0
    while True:
        start = sequencer.size
        acked = sequencer.append([event(i) for i in range(start, start + 97)])
        print(f"ACK {acked.start} {acked.stop}", flush=True)
        batch += 1
        if batch % 3 == 0:
            head = sequencer.seal()
            sequencer.anchor()
            print(f"ANCHORED {head.tree_size if head else 0}", flush=True)


if __name__ == "__main__":
    main()
