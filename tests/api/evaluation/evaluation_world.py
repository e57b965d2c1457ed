"""The evaluation tests' own reading of the chain and the log: web3 with the contracts' ABIs and SQL on the
log's table, never the code under test."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa

from api.settings import Settings
from ledger.chain import Chain


def first_applied(chain: Chain, settings: Settings) -> int:
    return min(int(e["blockNumber"]) for e in events(chain, settings, "LoanLedger", "Applied"))


def events(chain: Chain, settings: Settings, contract: str, name: str) -> list[dict]:  # type: ignore[type-arg]
    """A contract's events of one kind, read with web3 alone: the test's own reading of the chain."""
    from ledger.chain import artifact, deployment

    dep = deployment.load(settings.deployment_path)
    found = chain.web3.eth.contract(address=dep.contracts[contract].address, abi=artifact.load(contract).abi)
    return [dict(e) for e in getattr(found.events, name)().get_logs(from_block=0)]


def log_actions(settings: Settings, start: int = 0, end: int | None = None) -> Counter[tuple[str, str]]:
    """(action, actor) → events among the log's events ``start .. end - 1``, by SQL on its table."""
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as db:
        rows = db.execute(sa.text("SELECT idx, body FROM log_events ORDER BY idx")).all()
    engine.dispose()
    return Counter((json.loads(body)["action"], json.loads(body)["actor"]) for idx, body in rows
                   if start <= idx and (end is None or idx < end))


def view(chain: Chain, settings: Settings, contract: str, function: str, *args: Any) -> Any:
    """A view function's answer (the contract's own state, which the evaluation never reads)."""
    from ledger.chain import artifact, deployment

    dep = deployment.load(settings.deployment_path)
    found = chain.web3.eth.contract(address=dep.contracts[contract].address, abi=artifact.load(contract).abi)
    return getattr(found.functions, function)(*args).call()
