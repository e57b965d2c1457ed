"""The devnet against Anvil in one run, each in its own process on the same machine, both up at once
and taking turns, doing the same work:

(a) transactions through credtrace's own ``TransactionSender`` (``ledger.chain``): N
    ParticipantRegistry.rotateSigningKey(bytes32) calls (one storage write and one event each),
    pipelined as the sequencer sends them (send all, then collect the receipts) — from one sender, and
    from four senders at once (N/4 each, a thread and a connection each);
(b) one JSON-RPC batch of 10,000 ``eth_getBalance`` requests, for 10,000 different addresses;
(c) one heavy ``eth_call``: a counting loop of 26 gas per turn that burns about 28M of the 29M gas it
    is given (the init code of a contract creation, so no deployment is needed). Cheap opcodes only:
    the most interpreter work a caller can ask for with that much gas, the hostile case of issue 19.

    python scripts/bench/devnet_vs_anvil.py [N]        (default N = 400)

(a) runs in ``ROUNDS`` rounds, each node in turn within a round, and a ratio is the median over
rounds of the two nodes' figures in the same round: on a shared machine the speed drifts by 30-50%
over minutes, and one node's figures all taken in a slow minute made single runs disagree.

Targets (exit status 1 if missed; issue 19): devnet tx/s >= 0.6 x Anvil's, for one sender and for
four; the 10,000-request batch answered whole in at most 5 x Anvil's time. (c) is printed, not judged.
Wall-clock times: the machine may be shared, and the load average is printed with the figures.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr

from ledger.chain import Chain, TransactionSender, connect
from ledger.chain.deployment import deploy_contract

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chain_throughput import ANVIL, process  # the same node starter as the other benches

BATCH = 10_000
CALL_GAS = 29_000_000
LOOP_TURNS = 28_000_000 // 26
TX_RATIO_TARGET, BATCH_RATIO_TARGET = 0.6, 5.0
ROUNDS = 5
BANK = 4  # ParticipantRegistry.Role.BANK: may rotate its own signing key

_REGISTRY_ABI = [
    {"type": "function", "name": "rotateSigningKey", "stateMutability": "nonpayable",
     "inputs": [{"name": "newKey", "type": "bytes32"}], "outputs": []},
    {"type": "function", "name": "register", "stateMutability": "nonpayable", "outputs": [],
     "inputs": [{"name": "account", "type": "address"}, {"name": "role", "type": "uint8"},
                {"name": "orgId", "type": "bytes32"}, {"name": "signingKey", "type": "bytes32"}]},
]  # fmt: skip


def loop_init_code(turns: int) -> str:
    """PUSH3 turns; JUMPDEST; PUSH1 1; SWAP1; SUB; DUP1; PUSH1 4; JUMPI; STOP — 26 gas a turn."""
    return "0x62" + turns.to_bytes(3, "big").hex() + "5b600190038060045700"


class Registry:
    """A ParticipantRegistry with the operator and three banks registered, all allowed to rotate keys."""

    def __init__(self, chain: Chain, senders: list[LocalAccount]) -> None:
        operator = TransactionSender(chain, senders[0])
        genesis = [("0x" + "33" * 20, 7, b"o" * 32, b"k" * 32)]  # the registry's first regulator (issue 12)
        self.address = deploy_contract(operator, "ParticipantRegistry", b"o" * 32, b"k" * 32, genesis).address
        self.contract = chain.web3.eth.contract(address=self.address, abi=_REGISTRY_ABI)
        for bank in senders[1:]:
            data = self.contract.encode_abi("register", args=[bank.address, BANK, b"b" * 32, b"k" * 32])
            operator.transact({"to": self.address, "data": data})

    def rotations(self, first: int, count: int) -> list[HexStr]:
        return [HexStr(self.contract.encode_abi("rotateSigningKey", args=[(first + i + 1).to_bytes(32, "big")]))
                for i in range(count)]  # fmt: skip


def pipelined(url: str, account: LocalAccount, to: str, data: list[HexStr]) -> None:
    """One sender's workload on its own connection: send all, then wait for every receipt."""
    chain = connect(url)
    sender = TransactionSender(chain, account)
    gas = int(sender.estimate_gas({"to": to, "data": data[0]}) * 1.5)
    hashes = [sender.send({"to": to, "data": d, "gas": gas}) for d in data]
    for tx_hash in hashes:
        sender.wait(tx_hash)
    chain.close()


def tx_rate(url: str, registry: Registry, senders: list[LocalAccount], n: int, first: int) -> float:
    """Transactions a second, ``n`` in all, split evenly over ``senders`` running at once."""
    share = n // len(senders)
    threads = [threading.Thread(target=pipelined, args=(url, account, registry.address,
                                                        registry.rotations(first + i * share, share)))
               for i, account in enumerate(senders)]  # fmt: skip
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return share * len(senders) / (time.perf_counter() - began)


def batch_seconds(url: str) -> float:
    """Wall time of one 10,000-request ``eth_getBalance`` batch, checked to be answered whole."""
    batch: list[Any] = [{"jsonrpc": "2.0", "id": i, "method": "eth_getBalance", "params": [f"0x{i + 1:040x}", "latest"]}
             for i in range(BATCH)]  # fmt: skip
    began = time.perf_counter()
    answer = requests.post(url, json=batch, timeout=600).json()
    seconds = time.perf_counter() - began
    answered = sum(1 for item in answer if "result" in item) if isinstance(answer, list) else 0
    if answered != BATCH:
        raise RuntimeError(f"the batch got {answered} results of {BATCH}: {str(answer)[:200]}")
    return seconds


def heavy_call(url: str) -> tuple[float, str]:
    """Wall time of one ``eth_call`` running the loop, and what the node answered."""
    call = {"data": loop_init_code(LOOP_TURNS), "gas": hex(CALL_GAS)}
    body: Any = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [call, "latest"]}
    began = time.perf_counter()
    answer = requests.post(url, json=body, timeout=600).json()
    seconds = time.perf_counter() - began
    return seconds, "ok" if "result" in answer else f"error {answer.get('error')}"


@dataclass
class Bench:
    """One node under test: its URL, its registry, and the figures of each round."""

    name: str
    url: str
    registry: Registry
    figures: dict[str, list[float]] = field(default_factory=lambda: {"one": [], "four": []})


def open_bench(name: str, url: str, senders: list[LocalAccount], fund: bool) -> Bench:
    chain = connect(url)
    for account in senders if fund else []:
        chain.fund(account.address, 10**21)
    return Bench(name, url, Registry(chain, senders))


def rounds(benches: list[Bench], senders: list[LocalAccount], n: int, count: int) -> None:
    """``count`` rounds; in each, every node runs the one-sender then the four-sender workload, in turn, so a
    slower minute of a shared machine falls on both nodes rather than on one."""
    first = 0
    for number in range(1, count + 1):
        for bench in benches:
            for key, group in (("one", senders[:1]), ("four", senders)):
                bench.figures[key].append(tx_rate(bench.url, bench.registry, group, n, first))
                first += n
        print(f"  round {number}: " + "   ".join(
            f"{bench.name} {bench.figures['one'][-1]:6.1f} / {bench.figures['four'][-1]:6.1f} tx/s"
            for bench in benches), flush=True)  # fmt: skip


def once(bench: Bench) -> dict[str, Any]:
    figures: dict[str, Any] = {"batch": batch_seconds(bench.url)}
    figures["call"], figures["call_answer"] = heavy_call(bench.url)
    print(f"  {bench.name:<7} (b) batch {figures['batch']:6.2f} s   (c) eth_call {figures['call']:6.2f} s "
          f"({figures['call_answer']})", flush=True)  # fmt: skip
    return figures


def free_port() -> int:
    """A port nothing listens on now: fixed ports collide with other jobs on a shared machine."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def devnet(senders: list[LocalAccount]) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        allow = [arg for account in senders for arg in ("--allow", account.address)]
        args = [sys.executable, "-m", "devnet", "--data-dir", tmp, "--port", str(port), "--dev-accounts", "0",
                *allow, "--log-level", "WARNING"]  # fmt: skip
        with process(args, port) as url:
            yield url


def anvil() -> Any:
    port = free_port()
    return process([str(ANVIL), "--port", str(port), "--silent"], port)


def ratio(devnet_bench: Bench, anvil_bench: Bench, key: str) -> float:
    """The median over rounds of devnet / Anvil, each round's two figures measured minutes apart at most."""
    return statistics.median(d / a for d, a in zip(devnet_bench.figures[key], anvil_bench.figures[key], strict=True))


def verdict(benches: list[Bench], once_figures: list[dict[str, Any]]) -> bool:
    devnet_bench, anvil_bench = benches
    one, four = ratio(devnet_bench, anvil_bench, "one"), ratio(devnet_bench, anvil_bench, "four")
    batch = once_figures[0]["batch"] / once_figures[1]["batch"]
    call = once_figures[0]["call"] / once_figures[1]["call"]
    print(f"  devnet / Anvil tx/s, 1 sender  = {one:.2f} x   (median of rounds; target >= {TX_RATIO_TARGET} x)")
    print(f"  devnet / Anvil tx/s, 4 senders = {four:.2f} x   (median of rounds; target >= {TX_RATIO_TARGET} x)")
    print(f"  devnet / Anvil batch time      = {batch:.1f} x   (target <= {BATCH_RATIO_TARGET:g} x)")
    print(f"  devnet / Anvil heavy eth_call  = {call:.1f} x   (printed, no target)")
    return min(one, four) >= TX_RATIO_TARGET and batch <= BATCH_RATIO_TARGET


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    senders = [Account.create() for _ in range(4)]
    load = os.getloadavg()[0]
    print(f"workload: {ROUNDS} rounds of {n} x ParticipantRegistry.rotateSigningKey pipelined (1 sender, then "
          f"4 x {n // 4}) on each node in turn; a {BATCH}-request eth_getBalance batch; an eth_call of ~28M gas. "
          f"Load average {load:.1f}")  # fmt: skip
    with devnet(senders) as devnet_url, anvil() as anvil_url:
        benches = [open_bench("devnet", devnet_url, senders, fund=False),
                   open_bench("Anvil", anvil_url, senders, fund=True)]  # fmt: skip
        rounds(benches, senders, n, ROUNDS)
        ok = verdict(benches, [once(bench) for bench in benches])
    print("all targets met" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
