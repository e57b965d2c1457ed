"""Step 1: the chain itself.

On the embedded devnet every block is re-executed with py-evm from genesis and each seal, state root,
transactions root and receipts root checked, as a full node does on sync (``devnet.resync``); it reads the
data folder, so it runs before the chain is opened. On any other node (``--rpc``) the blocks cannot be
re-executed from here: the deployed contracts' code is checked against the artifacts, and every event of
them is read (:mod:`api.replay.history`). Missing re-execution is itself a mismatch, never a pass.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from api.replay.report import Report
from ledger.chain import Chain, deployment

STEP = "chain"
UNAVAILABLE = "chain re-execution unavailable: this devnet has no devnet.resync"


def resynced(data_dir: Path, report: Report, progress: Callable[[int, int], None] | None = None) -> None:
    """Re-execute the embedded devnet in ``data_dir``; each mismatch it names, named here."""
    where = f"devnet {data_dir}"
    try:
        # Imported by name, lazily: devnet.resync re-executes with py-evm, whose import is heavy.
        module = importlib.import_module("devnet.resync")
    except ImportError as exc:
        missing = isinstance(exc, ModuleNotFoundError) and exc.name == "devnet.resync"
        report.found(STEP, where, UNAVAILABLE if missing else f"chain re-execution cannot load: {exc}")
        return
    try:
        done = module.resync(data_dir, progress or (lambda *_: None))
    except Exception as exc:  # a store too damaged to read: whatever it raises, the chain is not re-executed
        report.found(STEP, where, f"chain re-execution stopped: {type(exc).__name__}: {exc}")
        return
    report.blocks = int(done.blocks)
    for problem in done.mismatches:
        report.found(STEP, _where(str(problem)), str(problem))


def _where(problem: str) -> str:
    """``block 12``, when the devnet's message starts by naming it; else the devnet."""
    head = problem.split(":", 1)[0]
    return head if head.startswith("block") else "devnet"


def deployed(chain: Chain, dep: deployment.Deployment, report: Report) -> None:
    """On another node: the chain is the deployment's, and each contract's code is its artifact's."""
    report.blocks = int(chain.web3.eth.block_number) + 1
    for problem in deployment.problems(chain, dep):
        report.found(STEP, f"deployment on chain {dep.chain_id}", problem)
