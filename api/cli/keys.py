"""``credtrace init``: the operator's and the demo participants' dev-only keys."""

from __future__ import annotations

import typer

from api.cli.context import State, console, keystore, reported
from ledger.identity import DEV_ONLY, Identity, KeyStore
from ledger.types import Role

DEMO_PARTICIPANTS: tuple[tuple[str, Role, str], ...] = (
    ("operator", Role.OPERATOR, "Chongqing SME Credit Platform (demo)"),
    ("regulator", Role.REGULATOR, "Municipal Financial Regulator (demo)"),
    ("auditor", Role.AUDITOR, "Independent Auditor (demo)"),
    ("oracle", Role.ORACLE, "Credit Scoring Oracle (demo)"),
    ("tax-bureau", Role.PROVIDER, "Municipal Tax Bureau (demo)"),
    ("market-supervision", Role.PROVIDER, "Market Supervision Administration (demo)"),
    ("bank-a", Role.BANK, "Demo Commercial Bank A"),
    ("bank-b", Role.BANK, "Demo Rural Commercial Bank B"),
    ("enterprise-1", Role.ENTERPRISE, "Demo Precision Parts Co., Ltd."),
)


def add_to(app: typer.Typer) -> None:
    app.command("init")(init)


@reported
def init(ctx: typer.Context) -> None:
    """Create dev-only keys for the operator and the demo participants (kept if present)."""
    settings = ctx.ensure_object(State).settings()
    ensure_demo_keys(keystore(settings))
    console.print(f"[yellow]{DEV_ONLY}[/yellow]\nkeys are in {settings.keys_dir}")


def ensure_demo_keys(store: KeyStore) -> list[Identity]:
    """Every demo participant's identity, creating the keys that are missing."""
    existing = set(store.names())
    identities = []
    for name, role, organisation in DEMO_PARTICIPANTS:
        if name in existing:
            identities.append(store.load(name))
            console.print(f"kept     {name:<20} (exists)")
            continue
        identities.append(store.create(name, role, organisation))
        console.print(f"created  {name:<20} {role.name:<10} {identities[-1].address}")
    return identities
