"""There is no way to read enterprise data except through the access gate (seeds R5). That no module
but the gate imports the record reader is an import-linter contract (``pyproject.toml``, run by
``make lint``); what an import graph cannot see is walked here: no module but the store, its
migrations and the gate names the records table, and none but the gate decrypts with the vault."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("ledger", "api", "oracle", "scoring", "simulation", "scripts", "hardhat-free-devnet")
GATE = "ledger/catalogue/gate.py"
STORE = "ledger/catalogue/store.py"


def sources() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))))
    return found


def names_used(tree: ast.Module) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            used.update(a.name for a in node.names)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)
    return used


def test_no_one_else_touches_the_records_table_or_opens_the_vault() -> None:
    allowed = {GATE, STORE, "ledger/migrations/versions/0002_catalogue.py",
               "ledger/migrations/versions/0010_supply_rights.py",  # a version column: schema, never a read
               "ledger/migrations/versions/0011_catalogue_guards.py"}  # guards only: it reads no row
    table = [path for path, tree in sources() if "catalogue_records" in names_used(tree) and path not in allowed]
    assert table == []
    openers = [path for path, tree in sources()
               if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "open"
                      and isinstance(n.func.value, ast.Attribute) and n.func.value.attr == "vault"
                      for n in ast.walk(tree))]
    assert openers == [GATE]


def test_the_walk_sees_the_code_base() -> None:
    paths = {path for path, _ in sources()}
    assert {GATE, STORE, "ledger/catalogue/ingest.py", "api/cli/__init__.py"} <= paths
