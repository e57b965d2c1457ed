"""Heavy calls beside ordinary work: does a caller looping eth_call near the gas limit starve the node?

The devnet (its own process) serves 200 light calls (a view function) and 20 transactions sent and
mined one after another, first alone, then while 8 threads each loop an eth_call of about 25M gas
(Counter.bumpMany). Calls run in two lanes (``devnet.lanes``): light ones at once, heavy ones one
at a time, so the loopers take one thread's share of the interpreter, not eight.

    python scripts/bench/call_lanes.py

Target (exit status 1 if missed): beside the loopers, the light calls and the transactions each take
at most 4 x their time alone (before the lanes: participants list took 17 x, 62 s instead of 3.6 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import Web3RPCError

ROOT = Path(__file__).resolve().parents[2]
COUNTER = json.loads((ROOT / "tests" / "devnet" / "fixtures" / "counter.json").read_text())
PORT, LOOPERS, LIGHT_CALLS, TRANSACTIONS, TARGET = 18747, 8, 200, 20, 4.0
TAG = b"\x01" * 32


def start(tmp: str, operator: LocalAccount) -> tuple[subprocess.Popen[bytes], Web3]:
    args = [sys.executable, "-m", "devnet", "--data-dir", tmp, "--port", str(PORT), "--dev-accounts", "0",
            "--allow", operator.address, "--log-level", "WARNING"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{PORT}", request_kwargs={"timeout": 120}))
    for _ in range(300):
        try:
            w3.eth.get_block_number()
            return proc, w3
        except Exception:
            time.sleep(0.1)
    raise SystemExit("the devnet did not start")


def transact(w3: Web3, operator: LocalAccount, tx: dict[str, object]) -> dict[str, object]:
    nonce = w3.eth.get_transaction_count(operator.address, "pending")
    signed = operator.sign_transaction({"chainId": w3.eth.chain_id, "nonce": nonce, "gas": 3_000_000,
                                        "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 1, "value": 0, **tx})
    return dict(w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction),
                                                    timeout=300, poll_latency=0.02))


def ordinary_work(w3: Web3, operator: LocalAccount, counter: object) -> tuple[float, float]:
    """(seconds for the light calls, seconds for the transactions)."""
    began = time.perf_counter()
    for _ in range(LIGHT_CALLS):
        counter.functions.count().call()  # type: ignore[attr-defined]
    calls = time.perf_counter() - began
    data = counter.functions.bump(TAG)._encode_transaction_data()  # type: ignore[attr-defined]
    began = time.perf_counter()
    for _ in range(TRANSACTIONS):
        transact(w3, operator, {"to": counter.address, "data": data})  # type: ignore[attr-defined]
    return calls, time.perf_counter() - began


def loop_heavy(counter: object, stop: threading.Event, answers: Counter[str]) -> None:
    """Loop the heavy call; a caller told "busy" (its turn did not come within the lane's wait) asks again."""
    heavy = counter.functions.bumpMany(TAG, 12_000)  # type: ignore[attr-defined]
    while not stop.is_set():
        try:
            heavy.call({"gas": 29_000_000})
            answers["answered"] += 1
        except Web3RPCError as error:
            answers["busy" if "busy" in str(error) else str(error)] += 1


def main() -> int:
    operator = Account.create()
    with tempfile.TemporaryDirectory() as tmp:
        proc, w3 = start(tmp, operator)
        try:
            address = transact(w3, operator, {"data": COUNTER["bytecode"]})["contractAddress"]
            counter = w3.eth.contract(address=address, abi=COUNTER["abi"])  # type: ignore[call-overload]
            alone = ordinary_work(w3, operator, counter)
            stop, answers = threading.Event(), Counter[str]()
            loopers = [threading.Thread(target=loop_heavy, args=(counter, stop, answers)) for _ in range(LOOPERS)]
            for looper in loopers:
                looper.start()
            time.sleep(1)
            beside = ordinary_work(w3, operator, counter)
            stop.set()
            for looper in loopers:
                looper.join()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    ratios = [b / a for a, b in zip(alone, beside, strict=True)]
    for name, a, b, r in zip((f"{LIGHT_CALLS} light calls", f"{TRANSACTIONS} transactions"), alone, beside, ratios,
                             strict=True):
        print(f"  {name:<18} alone {a:6.2f} s   beside {LOOPERS} heavy loopers {b:6.2f} s   = {r:4.1f} x"
              f"   (target <= {TARGET:g} x)")
    print(f"  heavy calls meanwhile: {dict(answers)}")
    ok = all(r <= TARGET for r in ratios)
    print("all targets met" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
