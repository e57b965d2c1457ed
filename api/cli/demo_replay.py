"""The demo's last steps: the regulator replays the ledger from genesis (``credtrace replay``) and it must
match; then a tamper drill on a throwaway copy of the home — one byte of a stored decision record's signature
changed, as an insider who owns the database file could (dropping its append-only trigger first) — which the
replay must catch and name. The demo's own home is never touched: the copy lives in a temporary folder."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from api import ApiError
from api.cli.context import console, opened
from api.replay.report import Report
from api.settings import Settings


def replay_and_drill(settings: Settings) -> None:
    from api.replay.run import replay

    console.rule("12. the regulator replays the ledger from genesis: chain, state, every decision, the log (R2, R10)")
    found = replay(settings, opened)
    _show(found)
    if not found.ok:
        raise ApiError(f"the replay of the demo's own home does not match: {found.summary()}")
    console.print(found.summary(), soft_wrap=True, markup=False)
    if settings.db is not None:  # the copy would share the database: no drill on it
        console.print("no tamper drill: the database is not the home's own file (--db)", markup=False)
        return
    console.rule("13. a tamper drill on a throwaway copy of the home: one byte of a stored decision record")
    with tempfile.TemporaryDirectory(prefix="credtrace-drill-") as tmp:
        copy = replace(settings, home=Path(tmp) / "home")
        shutil.copytree(settings.home, copy.home)
        application = _tamper(copy)
        drilled = replay(copy, opened)
    caught = [m for m in drilled.mismatches if f"application {application}" in m.where]
    if not caught:
        raise ApiError(f"the drill on application {application}'s record passed unnoticed")
    _show(Report(mismatches=caught))
    console.print(f"caught: the edited record of application {application} is named; the demo's home is intact",
                  markup=False)


def _tamper(settings: Settings) -> int:
    """Flip one hex digit of the first stored record's signature; the application it is of."""
    import sqlalchemy as sa

    engine = sa.create_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            app_id, oracle, raw = conn.execute(sa.text(
                "SELECT application_id, oracle, record FROM decision_records ORDER BY application_id LIMIT 1")).one()
            doc = json.loads(bytes(raw))
            sig = doc["signatures"][0]["sig"]
            doc["signatures"][0]["sig"] = ("1" if sig[0] == "0" else "0") + sig[1:]
            conn.execute(sa.text("DROP TRIGGER IF EXISTS decision_records_update_guard"))
            conn.execute(sa.text("UPDATE decision_records SET record = :r WHERE application_id = :a AND oracle = :o"),
                         {"r": json.dumps(doc, separators=(",", ":")).encode(), "a": app_id, "o": oracle})
    finally:
        engine.dispose()
    return int(app_id)


def _show(found: Report) -> None:
    for m in found.mismatches:
        console.print(f"MISMATCH [{m.step}] {m.where}: {m.what}", soft_wrap=True, markup=False)
