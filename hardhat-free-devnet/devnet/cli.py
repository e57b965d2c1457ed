"""Command line: ``python -m devnet --data-dir DIR [...]`` (wired as ``credtrace devnet``), and
``python -m devnet resync --data-dir DIR``: re-execute the stored chain from genesis (``devnet.resync``),
exit 0 if everything matches, 1 naming each mismatch, 2 if there is no chain to check.

The validator key is read from ``--validator-key-file`` or ``DATA_DIR/validator.key``;
on first start without either, a fresh key is generated there (mode 0600).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from eth_typing import Address

from devnet.accounts import dev_accounts
from devnet.config import DevnetConfig, option_errors
from devnet.errors import ConfigError, DevnetError
from devnet.service import Devnet

logger = logging.getLogger(__name__)

SWITCH_INTERVAL_SECONDS = 0.0005
"""How long a thread may hold the interpreter lock while another waits (Python's default is 5 ms). A
heavy ``eth_call`` is minutes of CPU-bound py-evm; every request thread that blocks on a socket or on
SQLite waited up to the default 5 ms to get the lock back, each time. With 0.5 ms, beside eight
threads looping such calls, 200 light calls took 1.7-2.0x their time alone instead of 4.7x and 20
transactions 3.7-3.9x instead of 13x (``scripts/bench/call_lanes.py``); a pipelining sender's rate did
not change. Set for the devnet's own process only: a process that embeds the node keeps its own."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devnet", description="Persistent permissioned single-node EVM chain (JSON-RPC)."
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="chain data directory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8545, help="0 picks a free port")
    parser.add_argument("--chain-id", type=int, default=1337)
    parser.add_argument(
        "--block-time",
        type=float,
        default=None,
        metavar="S",
        help="seal a block every S seconds (default: automine as soon as txs are pending)",
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="add an address to the genesis allowlist (repeatable)",
    )
    parser.add_argument(
        "--dev-accounts",
        type=int,
        default=0,
        metavar="N",
        help="allowlist and fund the first N accounts of the PUBLIC test mnemonic, whose keys everyone "
        "knows: development only (default 0)",
    )
    parser.add_argument("--validator-key-file", type=Path, default=None)
    parser.add_argument(
        "--registry", default=None, metavar="ADDRESS", help="ParticipantRegistry address for admission"
    )
    parser.add_argument(
        "--allow-time-travel",
        action="store_true",
        help="serve evm_increaseTime, which moves the chain's clock forward: for a simulation's own chain, "
        "never a shared one (anyone could expire the others' consents)",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser


def config_from_args(args: argparse.Namespace) -> DevnetConfig:
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = args.validator_key_file or data_dir / "validator.key"
    allowlist = [_address(account.address) for account in dev_accounts(args.dev_accounts)]
    allowlist += [_address(text) for text in args.allow]
    return DevnetConfig(
        data_dir=data_dir,
        validator_key=load_or_create_key(key_file),
        host=args.host,
        port=args.port,
        chain_id=args.chain_id,
        block_time=args.block_time,
        allowlist=tuple(dict.fromkeys(allowlist)),
        registry_address=_address(args.registry) if args.registry else None,
        time_travel=args.allow_time_travel,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the devnet until SIGINT/SIGTERM (or ``resync``). Returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    if argv[:1] == ["resync"]:
        return resync_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if wrong := option_errors(args.port, args.chain_id, args.block_time):
        parser.error("; ".join(wrong))  # exit 2 before the data directory is touched
    if args.dev_accounts < 0:
        parser.error(f"--dev-accounts must be 0 or more, got {args.dev_accounts}")
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()
    _on_signals(stop)
    try:
        config = config_from_args(args)
        with Devnet(config).serving() as url:
            print(
                f"devnet listening on {url} (chain id {config.chain_id}, data dir {config.data_dir})",
                flush=True,
            )
            while not stop.wait(1.0):
                pass
    except DevnetError as exc:
        print(f"devnet: error: {exc}", file=sys.stderr)
        return 2
    return 0


def resync_main(argv: Sequence[str]) -> int:
    """``resync --data-dir DIR``: progress on stderr, one line per mismatch, a summary with the speed."""
    from devnet.resync import resync

    parser = argparse.ArgumentParser(
        prog="devnet resync", description="Re-execute the stored chain from genesis and check every block."
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="chain data directory (opened read-only)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        report = resync(args.data_dir, _progress if sys.stderr.isatty() else None)
    except DevnetError as exc:
        print(f"devnet: error: {exc}", file=sys.stderr)
        return 2
    elapsed = max(time.perf_counter() - started, 1e-9)
    for mismatch in report.mismatches:
        print(f"mismatch: {mismatch}")
    verdict = "ok" if report.ok else f"{len(report.mismatches)} mismatch{'es' if len(report.mismatches) > 1 else ''}"
    print(
        f"{report.blocks} blocks, {report.transactions} transactions re-executed in {elapsed:.1f} s "
        f"({report.blocks / elapsed:.0f} blocks/s, {report.transactions / elapsed:.0f} tx/s): {verdict}"
    )
    return 0 if report.ok else 1


def _progress(done: int, total: int) -> None:
    if done == total or done % 100 == 0:
        print(f"\rresync: block {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        logger.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def load_or_create_key(path: Path) -> bytes:
    if path.exists():
        text = path.read_text().strip().removeprefix("0x")
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise ConfigError(f"{path}: not a hex private key") from None
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("0x" + key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.info("generated a new validator key in %s", path)
    return key


def _address(text: str) -> Address:
    raw = text.removeprefix("0x")
    if len(raw) != 40:
        raise ConfigError(f"not an address: {text}")
    try:
        return Address(bytes.fromhex(raw))
    except ValueError:
        raise ConfigError(f"not an address: {text}") from None
