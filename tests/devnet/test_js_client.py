"""viem 2 (a JavaScript client nobody here wrote, pinned in tools/) against the devnet CLI in its own
process: deploy the Counter, transact, read its logs two ways, and watch its events with viem's
polling filter (``watchContractEvent`` over HTTP) while the devnet stops and starts again on the same
data directory and port.

Filters live in the node's memory, so a restart loses them. viem re-creates a lost filter only when
``eth_getFilterChanges`` answers -32000 (``InvalidInputRpcError``), the code geth and Anvil give
"filter not found"; on any other code its watcher reports errors forever and never delivers again.
The script is ``js/viem_client.mjs``; it reports one JSON object a line.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from devnet_support import FIXTURES, Client, artifact, connect
from web3 import Web3

from devnet.accounts import dev_accounts

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "js" / "viem_client.mjs"
BEFORE = b"\xb0" * 32
AFTER = [bytes([0xC0 + i]) * 32 for i in range(3)]


def hex32(tag: bytes) -> str:
    return "0x" + tag.hex()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DevnetProcess:
    """``python -m devnet`` on a fixed port, two dev accounts funded and admitted."""

    def __init__(self, data_dir: Path, port: int) -> None:
        args = ["--data-dir", str(data_dir), "--port", str(port), "--dev-accounts", "2", "--log-level", "WARNING"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "hardhat-free-devnet")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devnet", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env=env,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("devnet listening on "), line
        self.url = line.split()[3]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.wait(30) == 0


class ViemScript:
    """The Node.js script, its stdout lines parsed into a queue as they come."""

    def __init__(self, url: str, node: str) -> None:
        env = {
            **os.environ, "DEVNET_URL": url, "CHAIN_ID": "1337", "TOOLS": str(ROOT / "tools"),
            "PRIVATE_KEY": "0x" + bytes(dev_accounts(1)[0].key).hex(), "ARTIFACT": str(FIXTURES / "counter.json"),
        }  # fmt: skip
        self.process = subprocess.Popen(
            [node, str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                self.lines.put(json.loads(line))
            except json.JSONDecodeError:
                self.lines.put({"step": "text", "text": line})  # kept for the failure message

    def until(self, wanted: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any] | None:
        """The first new line ``wanted`` accepts, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if wanted(line):
                return line
        return None

    def step(self, name: str, timeout: float = 60) -> dict[str, Any]:
        found = self.until(lambda line: line["step"] == name, timeout)
        assert found is not None, f"no {name!r} from the script after {self.seen[-5:]}; stderr: {self.stderr()}"
        return found

    def errors(self) -> list[str]:
        return sorted({f"{line['code']}: {line['message']}" for line in self.seen if line["step"] == "error"})

    def stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def polls_again(script: ViemScript, timeout: float) -> bool:
    """True once the watcher has installed a filter and then polled it (its filter exists again)."""
    if script.until(lambda line: line.get("method") == "eth_newFilter", timeout) is None:
        return False
    return script.until(lambda line: line.get("method") == "eth_getFilterChanges", 2) is not None


def watched(script: ViemScript, tags: list[bytes], timeout: float) -> set[str]:
    """The tags among ``tags`` the watcher delivers within ``timeout`` seconds."""
    wanted, got = {hex32(tag) for tag in tags}, set[str]()
    deadline = time.monotonic() + timeout
    while got != wanted and time.monotonic() < deadline:
        line = script.until(lambda line: line["step"] == "watched", deadline - time.monotonic())
        if line is not None and line["tag"] in wanted:
            got.add(line["tag"])
    return got


@pytest.fixture
def node_js() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node (Node.js) is not on PATH: `make tools` needs it too")
    return found


def test_viem_deploys_transacts_reads_logs_and_watches_across_a_restart(tmp_path: Path, node_js: str) -> None:
    data_dir, port = tmp_path / "chain", free_port()
    devnet = DevnetProcess(data_dir, port)
    script = ViemScript(devnet.url, node_js)
    try:
        address = script.step("deployed")["address"]
        read = script.step("read")
        assert read["count"] == "1"
        assert read["logs"] == read["events"] == [{"tx": read["bump"], "tag": "0x" + "a1" * 32, "count": "1"}]
        script.step("watching")

        client = Client(connect(devnet.url))
        counter = client.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact("counter")["abi"])
        client.call_tx(dev_accounts(2)[1], counter.functions.bump(BEFORE))
        assert watched(script, [BEFORE], 10) == {hex32(BEFORE)}, script.errors()

        devnet.stop()
        devnet = DevnetProcess(data_dir, port)  # same data directory, same port: the same URL
        recovered = polls_again(script, 10)  # a barrier: bumps sent before it re-creates its filter are missed
        client = Client(connect(devnet.url))
        for tag in AFTER:
            client.call_tx(dev_accounts(2)[1], counter.functions.bump(tag))
        delivered = watched(script, AFTER, 10)
        assert delivered == {hex32(tag) for tag in AFTER}, f"after the restart the watcher got {delivered} " \
            f"(filter re-created: {recovered}); its errors: {script.errors()}"  # fmt: skip
    finally:
        try:
            script.close()
        finally:
            devnet.stop()
