"""Compile `contracts/*.sol` with the pinned solc into committed artifacts.

    python scripts/compile_contracts.py            # write ledger/chain/artifacts/*.json
    python scripts/compile_contracts.py --check    # recompile, compare, exit 1 on any drift

Build-time only: the package reads the artifacts and never needs Node or a compiler.
The compiler is the npm `solc` package pinned in `tools/package.json` (installed by
`make tools`); its standard-JSON interface is documented at
https://docs.soliditylang.org/en/latest/using-the-compiler.html#compiler-input-and-output-json-description
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLCJS = ROOT / "tools" / "node_modules" / ".bin" / "solcjs"
# Every node we target (py-evm, Anvil, Besu) runs Cancun; newer opcodes buy us nothing.
SETTINGS = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 200},
    "metadata": {"bytecodeHash": "ipfs"},
    # storageLayout: where each state variable lives, for `audit state-proof` (it changes no bytecode)
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "storageLayout"]}},
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compile_sources(contracts_dir: Path) -> dict[str, dict[str, object]]:
    """Compile every .sol under `contracts_dir`; return artifacts keyed by contract name."""
    paths = sorted(contracts_dir.glob("**/*.sol"))
    if not paths:
        raise SystemExit(f"no .sol files under {contracts_dir}")
    sources = {p.relative_to(contracts_dir).as_posix(): p.read_bytes() for p in paths}
    request = {
        "language": "Solidity",
        "sources": {name: {"content": body.decode()} for name, body in sources.items()},
        "settings": SETTINGS,
    }
    output = _run_solc(request)
    version = _solc_version()
    artifacts: dict[str, dict[str, object]] = {}
    for source_name, contracts in output.get("contracts", {}).items():
        for name, compiled in contracts.items():
            if not compiled["evm"]["bytecode"]["object"]:
                continue  # an abstract contract (LossSharing): nothing to deploy, its code is in its heir's
            if name in artifacts:
                raise SystemExit(f"contract name {name} is defined twice")
            artifacts[name] = {
                "contractName": name,
                "sourceName": source_name,
                "sourceSha256": sha256_hex(sources[source_name]),
                "compiler": {"name": "solc", "version": version, "settings": SETTINGS},
                "abi": compiled["abi"],
                "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
                "storageLayout": compiled["storageLayout"],
            }
    return artifacts


def _run_solc(request: dict[str, object]) -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    if not SOLCJS.exists():
        raise SystemExit(f"{SOLCJS} is missing: run `make tools` first")
    # Node writes to a pipe asynchronously and solcjs exits before a large answer is flushed
    # (it came back cut at 64 KiB), so the answer goes to a file, which Node writes synchronously.
    # The request goes in through a file too: solc.js reads stdin with readFileSync, which fails with
    # EAGAIN when a large request has not all reached the pipe yet.
    with tempfile.TemporaryFile() as question, tempfile.TemporaryFile() as answer:
        question.write(json.dumps(request).encode())
        question.seek(0)
        subprocess.run([str(SOLCJS), "--standard-json"], stdin=question,
                       stdout=answer, stderr=subprocess.PIPE, check=True)
        answer.seek(0)
        raw = answer.read()
    # solcjs prints a banner line about SMT solvers before the JSON document.
    output = json.loads(raw[raw.index(b"{") :])
    errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
    for e in output.get("errors", []):
        print(e.get("formattedMessage", e["message"]), file=sys.stderr)
    if errors:
        raise SystemExit("compilation failed")
    return output  # type: ignore[no-any-return]


def _solc_version() -> str:
    done = subprocess.run([str(SOLCJS), "--version"], capture_output=True, check=True, text=True)
    return done.stdout.strip()


def render(artifact: dict[str, object]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def write(artifacts: dict[str, dict[str, object]], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(p.stem for p in out_dir.glob("*.json")) - set(artifacts):
        (out_dir / f"{stale}.json").unlink()
    for name, artifact in artifacts.items():
        (out_dir / f"{name}.json").write_text(render(artifact))
        print(f"wrote {out_dir / name}.json  ({artifact['compiler']['version']})")  # type: ignore[index]


def check(artifacts: dict[str, dict[str, object]], out_dir: Path) -> list[str]:
    """Return one line per artifact that does not match a fresh compile of its source."""
    problems = []
    committed = {p.stem for p in out_dir.glob("*.json")}
    for stale in sorted(committed - set(artifacts)):
        problems.append(f"{stale}.json: no contract of that name in the sources")
    for name, fresh in sorted(artifacts.items()):
        path = out_dir / f"{name}.json"
        if not path.exists():
            problems.append(f"{name}.json: missing (source {fresh['sourceName']})")
            continue
        old = json.loads(path.read_text())
        for key in ("sourceSha256", "compiler", "abi", "bytecode", "deployedBytecode", "storageLayout"):
            if old.get(key) != fresh[key]:
                problems.append(f"{name}.json: {key} differs from {fresh['sourceName']}")
                break
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--contracts-dir", type=Path, default=ROOT / "contracts")
    parser.add_argument("--artifacts-dir", type=Path, default=ROOT / "ledger" / "chain" / "artifacts")
    args = parser.parse_args()
    artifacts = compile_sources(args.contracts_dir)
    if not args.check:
        write(artifacts, args.artifacts_dir)
        return 0
    problems = check(artifacts, args.artifacts_dir)
    for line in problems:
        print(f"artifact out of date: {line}; run `make contracts`", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
