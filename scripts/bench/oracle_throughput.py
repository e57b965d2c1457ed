"""Oracle throughput and latency (issue 15), end to end on the embedded devnet: a bank applies
(``applyFor``), the oracle service reads the enterprise's data through the gate, scores, signs, sends
``decide``/``decideBatch``, and the application is final (``Decided``, quorum 1).

The world is the oracle tests' (tests/oracle/oracle_world.py): a home with the demo keys, enterprise-1's
tax, social security and registration data ingested, a small approved model (600 enterprises), and
enterprise-1's consent to bank-a; every application here is bank-a's for enterprise-1.

(a) throughput: N applications applied up front (pipelined), then ``credtrace oracle run --once --batch 1``
    in its own process decides them all; again for N more with ``--batch B``; three turns of both, the
    ratio taken between the medians. Decided per second counts the apply time and the oracle's time from
    serving its model to its line saying it handled them (not its start-up, nor the interpreter's exit).
(b) latency: ``credtrace oracle run --follow --poll 0.1`` in its own process (it joins the devnet this
    process serves) while bank-a applies at a steady R a second for S seconds; for each application the
    wall time from sending its ``applyFor`` to this process seeing its ``Decided`` event, looked for every
    0.1 s (wall clock: the devnet's block times run ahead of it, a second a block at least). From the send,
    not the ``Applied`` receipt: the apply's own mining is counted too, and the bank polls no receipts
    while it applies (that polling would load the node the oracle uses).

    python scripts/bench/oracle_throughput.py [N [B [R [S]]]]       (default 100 100 10 20)

Targets (exit status 1 if missed): batched decided/s >= 5 x the --batch 1 rate; p95 latency <= 2 s.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth_typing import HexStr
from hexbytes import HexBytes

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "oracle"))

import oracle_world  # noqa: E402  (the oracle tests' world builder, reused)

from api.cli.context import keystore, opened, sender_for  # noqa: E402
from api.platform import Platform, opened_platform  # noqa: E402
from api.settings import Settings  # noqa: E402
from devnet.datadir import served_url  # noqa: E402
from ledger.chain import DeployedContract, connect  # noqa: E402
from ledger.contracts.loan_ledger import product_id  # noqa: E402
from ledger.money import fen  # noqa: E402

AMOUNT, TERM, PRODUCT = fen("500,000"), 12, "SME-CREDIT-1Y"
TRIALS = 3
P95_TARGET, RATIO_TARGET = 2.0, 5.0


class Bank:
    """bank-a applying for enterprise-1 under one consent."""

    def __init__(self, p: Platform, settings: Settings, consent: str) -> None:
        store = keystore(settings)
        self.sender = sender_for(p.chain, store.load("bank-a"))
        self.loans = p.loans
        self.args = (bytes(p.org_id(store.load("enterprise-1"))), bytes.fromhex(consent.removeprefix("0x")),
                     AMOUNT, TERM, product_id(PRODUCT))

    def data(self) -> HexStr:
        return HexStr(self.loans.contract._web3_contract.encode_abi("applyFor", args=list(self.args)))

    def gas(self) -> int:
        return int(self.sender.estimate_gas({"to": self.loans.contract.address, "data": self.data()}) * 1.5)

    def send(self, gas: int) -> HexBytes:
        """One application sent, not waited for."""
        return self.sender.send({"to": self.loans.contract.address, "data": self.data(), "gas": gas})

    def apply_all(self, n: int) -> float:
        """``n`` applications pipelined (send all, then collect the receipts); the seconds taken."""
        began = time.perf_counter()
        gas = self.gas()
        for h in [self.send(gas) for _ in range(n)]:
            self.sender.wait(h)
        return time.perf_counter() - began

    def mined(self, tx_hash: HexBytes) -> int:
        """The application id, once its transaction is mined."""
        receipt = self.sender.wait(tx_hash)
        return next(int(e["args"]["applicationId"]) for e in self.loans.contract.events(receipt)
                    if e["event"] == "Applied")


def throughput(p: Platform, home: Path, bank: Bank, n: int, batch: int) -> float:
    """Apply ``n``, then ``oracle run --once --batch`` decides them; decided per second, apply time included
    (the oracle's time is from its serving the model to its line saying it handled them: its start-up and
    the interpreter's exit are not counted)."""
    applying = bank.apply_all(n)
    with oracle_process(home, "--once", "--batch", str(batch)) as proc:
        assert proc.stdout is not None
        began, lines = time.perf_counter(), []
        while " handled " not in (line := proc.stdout.readline()) and line:
            lines.append(line)
        deciding = time.perf_counter() - began
        out = "".join(lines) + line + proc.communicate(timeout=600)[0]
    undecided = [a for a, s in p.loans.statuses().items() if s.name == "APPLIED"]
    handled = out.count("latency ")
    assert proc.returncode == 0 and handled == n and not undecided, f"decided {handled} of {n}: {out[-2000:]}"
    rate = n / (applying + deciding)
    print(f"  --batch {batch:<3} {n} applications: apply {applying:6.2f} s, oracle {deciding:6.2f} s "
          f"({n / deciding:6.1f} decided/s, {deciding / n * 1000:5.0f} ms each)  end to end {rate:6.1f} decided/s",
          flush=True)
    return rate


def trials(p: Platform, home: Path, bank: Bank, n: int, batch: int) -> float:
    """Batched ÷ single end-to-end rates, each the median of three runs taken in turn (the machine's pace
    drifts; turns spread the drift over both)."""
    single, batched = [], []
    for _ in range(TRIALS):
        single.append(throughput(p, home, bank, n, 1))
        batched.append(throughput(p, home, bank, n, batch))
    print(f"  medians: --batch 1 {statistics.median(single):.1f} decided/s, --batch {batch} "
          f"{statistics.median(batched):.1f} decided/s")
    return statistics.median(batched) / statistics.median(single)


@contextmanager
def oracle_process(home: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``credtrace oracle run`` in its own process (it joins the devnet this one serves), once it serves
    its model."""
    command = [str(Path(sys.executable).parent / "credtrace"), "--home", str(home), "oracle", "run", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serves model" in line, line
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)


def latency(p: Platform, settings: Settings, bank: Bank, rate: float, seconds: float, batch: int) -> list[float]:
    """Seconds from each application's send to seeing its ``Decided`` event, at a steady ``rate``."""
    url = served_url(settings.devnet_dir)
    assert url is not None
    watcher = DeployedContract(connect(url), p.loans.contract.artifact, p.loans.contract.address)
    sent: list[tuple[HexBytes, float]] = []
    decided: dict[int, float] = {}

    def submit() -> None:
        """At a steady ``rate``; receipts are collected afterwards (polling for them would load the node)."""
        gas, start = bank.gas(), time.perf_counter()
        for i in range(int(rate * seconds)):
            time.sleep(max(0.0, start + i / rate - time.perf_counter()))
            sent.append((bank.send(gas), time.perf_counter()))
        print(f"  bank-a sent {len(sent)} applications in {time.perf_counter() - start:.1f} s", flush=True)

    with oracle_process(settings.home, "--follow", "--poll", "0.1", "--batch", str(batch)) as proc:
        threading.Thread(target=proc.communicate, daemon=True).start()  # keep its pipe drained
        block: int = p.chain.web3.eth.block_number
        submitter = threading.Thread(target=submit)
        submitter.start()
        deadline = None
        while deadline is None or time.perf_counter() < deadline:
            for log in watcher.event("Decided").get_logs(from_block=block):
                decided.setdefault(int(log["args"]["applicationId"]), time.perf_counter())
                block = max(block, int(log["blockNumber"]))
            if not submitter.is_alive() and deadline is None:
                deadline = time.perf_counter() + 10
            if not submitter.is_alive() and len(decided) >= len(sent):
                break
            time.sleep(0.1)
        submitter.join()
    applied = {bank.mined(h): t for h, t in sent}
    if decided:
        span = max(decided.values()) - min(applied.values())
        print(f"  the oracle kept pace at {len(decided) / span:.1f} decided/s ({len(decided)} of {len(applied)} "
              f"in {span:.1f} s from the first application)")
    return [decided.get(a, math.inf) - t for a, t in applied.items()]  # inf: not decided 10 s after the last


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank (an undecided application's inf stays inf)."""
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def main() -> int:
    n, batch, rate, seconds = (int(a) for a in (sys.argv[1:] + ["100", "100", "10", "20"][len(sys.argv) - 1:]))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        began = time.perf_counter()
        oracle_world.build(home)
        consent = oracle_world.grant(home)
        print(f"world built in {time.perf_counter() - began:.1f} s (demo keys, enterprise-1's data, an approved "
              "model, one consent)", flush=True)
        settings = Settings.build(home, None)
        with opened(settings) as chain, opened_platform(settings, chain) as p:
            bank = Bank(p, settings, consent)
            print(f"(a) throughput: {n} applications applied up front, then `oracle run --once`; "
                  f"{TRIALS} turns")
            ratio = trials(p, home, bank, n, batch)
            print(f"(b) latency: `oracle run --follow --poll 0.1 --batch {batch}` while bank-a applies "
                  f"{rate} a second for {seconds} s")
            waits = sorted(latency(p, settings, bank, rate, seconds, batch))
            time.sleep(1)  # let the devnet answer what the terminated oracle left in flight before it closes
    p50, p95 = percentile(waits, 0.50), percentile(waits, 0.95)
    late = sum(math.isinf(w) for w in waits)
    print(f"  {len(waits)} applications: applyFor sent → Decided seen  p50 {p50:.2f} s  p95 {p95:.2f} s  "
          f"max {waits[-1]:.2f} s; {late} not decided 10 s after the last was applied   "
          f"(target p95 <= {P95_TARGET:g} s)")
    print(f"  batched / single = {ratio:.1f} x   (target >= {RATIO_TARGET:g} x)")
    ok = ratio >= RATIO_TARGET and p95 <= P95_TARGET
    print("all targets met" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
