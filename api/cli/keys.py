"""``credtrace init``: the operator's and the demo participants' dev-only keys, and the catalogue's
keys under HOME/secrets. Nothing else creates a key: a lost one is restored from a backup."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from api.cli.context import State, console, keystore, reported
from api.settings import Settings
from ledger.types import Role

if TYPE_CHECKING:
    from ledger.chain import Identity, KeyStore

DEMO_PARTICIPANTS: tuple[tuple[str, Role, str], ...] = (
    ("operator", Role.OPERATOR, "Chongqing SME Credit Platform (demo)"),
    ("regulator", Role.REGULATOR, "Municipal Financial Regulator (demo)"),
    ("auditor", Role.AUDITOR, "Independent Auditor (demo)"),
    ("oracle", Role.ORACLE, "Credit Scoring Oracle (demo)"),
    ("tax-bureau", Role.PROVIDER, "Municipal Tax Bureau (demo)"),
    ("market-supervision", Role.PROVIDER, "Market Supervision Administration (demo)"),
    ("social-security", Role.PROVIDER, "Human Resources and Social Security Bureau (demo)"),
    ("electricity", Role.PROVIDER, "State Grid Chongqing Electric Power (demo)"),
    ("water", Role.PROVIDER, "Chongqing Water Group (demo)"),
    ("gas", Role.PROVIDER, "Chongqing Gas Group (demo)"),
    ("customs", Role.PROVIDER, "Chongqing Customs (demo)"),
    ("ip", Role.PROVIDER, "Intellectual Property Office (demo)"),
    ("courts", Role.PROVIDER, "Higher People's Court (demo)"),
    ("bank-a", Role.BANK, "Demo Commercial Bank A"),
    ("bank-b", Role.BANK, "Demo Rural Commercial Bank B"),
    ("enterprise-1", Role.ENTERPRISE, "the first enterprise of the demo pilot"),
)


def add_to(app: typer.Typer) -> None:
    app.command("init")(init)


@reported
def init(ctx: typer.Context) -> None:
    """Create dev-only keys for the operator, the demo participants and the catalogue (kept if present)."""
    from ledger.chain.identity import DEV_ONLY

    settings = ctx.ensure_object(State).settings()
    ensure_demo_keys(keystore(settings))
    ensure_secrets(settings)
    console.print(f"[yellow]{DEV_ONLY}[/yellow]\nkeys are in {settings.keys_dir}")


def demo_enterprise_code() -> str:
    """enterprise-1 is the first enterprise of the demo pilot, so its data is in the catalogue."""
    from api.cli.demo_data import demo_pilot

    return demo_pilot().enterprises[0].credit_code


def ensure_demo_keys(store: KeyStore) -> list[Identity]:
    """Every demo participant's identity, creating the keys that are missing."""
    existing = set(store.names())
    identities = []
    for name, role, organisation in DEMO_PARTICIPANTS:
        if name in existing:
            identities.append(store.load(name))
            console.print(f"kept     {name:<20} (exists)")
            continue
        code = demo_enterprise_code() if role is Role.ENTERPRISE else None
        identities.append(store.create(name, role, organisation, code))
        console.print(f"created  {name:<20} {role.name:<10} {identities[-1].address}")
    return identities


def ensure_secrets(settings: Settings) -> None:
    """The catalogue's encryption and pseudonym keys (HOME/secrets, mode 0600), created if missing."""
    from ledger.catalogue.vault import KEY_FILES, create_key

    for name in KEY_FILES:
        done = "created " if create_key(settings.secrets_dir / name) else "kept    "
        console.print(f"{done} secrets/{name}")
