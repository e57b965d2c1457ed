"""Chain throughput: the same workload, sent by credtrace's own TransactionSender, to
(a) the credtrace devnet over JSON-RPC (its own process), (b) the in-process eth-tester
backend, (c) Anvil. Then eth_getLogs returning 10,000 matching events from the devnet.

The workload: N calls of ParticipantRegistry.rotateSigningKey(bytes32) — one storage write
and one event each — pipelined (send all, then collect the receipts), as the sequencer does.

    python scripts/bench/chain_throughput.py [N]        (default N = 2000)

Targets (exit status 1 if missed): devnet tx/s >= 3 x eth-tester's; getLogs of 10,000 < 1 s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ledger.chain import Chain, TransactionSender, connect
from ledger.chain.deployment import deploy_contract

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "tools" / "node_modules" / ".bin" / "anvil"
LOG_TARGET = 10_000
TOPIC = "0x" + keccak(text="SigningKeyRotated(address,bytes32,bytes32)").hex()


@contextmanager
def process(args: list[str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                connect(url).close()
                break
            except Exception:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def workload(chain: Chain, operator: LocalAccount, start: int, count: int) -> tuple[float, str]:
    """Send ``count`` key rotations pipelined; return (seconds, registry address)."""
    sender = TransactionSender(chain, operator)
    genesis = [("0x" + "33" * 20, 7, b"o" * 32, b"k" * 32)]  # the registry's first regulator (issue 12)
    registry = chain_registry.get(id(chain)) or deploy_contract(
        sender, "ParticipantRegistry", b"o" * 32, b"k" * 32, genesis).address
    chain_registry[id(chain)] = registry
    contract = chain.web3.eth.contract(address=registry, abi=[_ROTATE])
    data = [contract.encode_abi("rotateSigningKey", args=[(start + i + 1).to_bytes(32, "big")])
            for i in range(count)]
    gas = int(sender.estimate_gas({"to": registry, "data": data[0]}) * 1.5)
    began = time.perf_counter()
    hashes = [sender.send({"to": registry, "data": d, "gas": gas}) for d in data]
    for h in hashes:
        sender.wait(h)
    return time.perf_counter() - began, registry


chain_registry: dict[int, str] = {}
_ROTATE = {"type": "function", "name": "rotateSigningKey", "stateMutability": "nonpayable",
           "inputs": [{"name": "newKey", "type": "bytes32"}], "outputs": []}


def measure(name: str, chain: Chain, operator: LocalAccount, n: int) -> float:
    seconds, _ = workload(chain, operator, 0, n)
    rate = n / seconds
    print(f"  {name:<34} {n:>6} tx in {seconds:7.2f} s  = {rate:8.1f} tx/s", flush=True)
    return rate


def get_logs_seconds(chain: Chain, operator: LocalAccount, n_sent: int) -> tuple[int, float]:
    registry = chain_registry[id(chain)]
    if n_sent < LOG_TARGET:
        workload(chain, operator, n_sent, LOG_TARGET - n_sent)
    began = time.perf_counter()
    answer = chain.web3.provider.make_request(  # type: ignore[attr-defined]
        "eth_getLogs", [{"address": registry, "topics": [TOPIC], "fromBlock": "0x0", "toBlock": "latest"}])
    return len(answer["result"]), time.perf_counter() - began


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    operator = Account.create()
    print(f"workload: {n} x ParticipantRegistry.rotateSigningKey, pipelined, one sender")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        devnet_args = [sys.executable, "-m", "devnet", "--data-dir", tmp, "--port", "18745",
                       "--dev-accounts", "0", "--allow", operator.address, "--log-level", "WARNING"]
        with process(devnet_args, 18745) as url:
            devnet = connect(url)
            rates["devnet"] = measure("(a) credtrace devnet, JSON-RPC", devnet, operator, n)
            count, seconds = get_logs_seconds(devnet, operator, n)
    tester = connect(None)
    tester.fund(operator.address, 10**23)
    rates["tester"] = measure("(b) eth-tester, in process", tester, operator, n)
    with process([str(ANVIL), "--port", "18746", "--silent"], 18746) as url:
        anvil = connect(url)
        anvil.fund(operator.address, 10**21)
        rates["anvil"] = measure("(c) Anvil, JSON-RPC", anvil, operator, n)
    print(f"  devnet / eth-tester = {rates['devnet'] / rates['tester']:.1f} x   (target >= 3 x)")
    print(f"  devnet / Anvil      = {rates['devnet'] / rates['anvil']:.2f} x")
    print(f"  devnet eth_getLogs: {count} matching events in {seconds * 1000:.0f} ms   (target < 1000 ms)")
    ok = rates["devnet"] >= 3 * rates["tester"] and count == LOG_TARGET and seconds < 1.0
    print("all targets met" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
