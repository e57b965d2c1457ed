"""``credtrace init``: the operator's and the demo participants' dev-only keys, and the catalogue's
keys under HOME/secrets. Nothing else creates a key: a lost one is restored from a backup,
``credtrace keys backup OUT`` / ``credtrace keys restore ARCHIVE`` (format in ``api.key_archive``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
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
    # A department's organisation is its well-known one ("department/tax", ledger.catalogue.rights): the
    # org id it is registered with is what lets it supply its datasets, and only those.
    ("tax-bureau", Role.PROVIDER, "department/tax"),  # Municipal Tax Bureau (demo)
    ("market-supervision", Role.PROVIDER, "department/market_supervision"),  # Market Supervision Administration
    ("social-security", Role.PROVIDER, "department/social_security"),  # Human Resources and Social Security
    ("electricity", Role.PROVIDER, "department/electricity"),  # State Grid Chongqing Electric Power (demo)
    ("water", Role.PROVIDER, "department/water"),  # Chongqing Water Group (demo)
    ("gas", Role.PROVIDER, "department/gas"),  # Chongqing Gas Group (demo)
    ("customs", Role.PROVIDER, "department/customs"),  # Chongqing Customs (demo)
    ("ip", Role.PROVIDER, "department/ip"),  # Intellectual Property Office (demo)
    ("courts", Role.PROVIDER, "department/courts"),  # Higher People's Court (demo)
    ("bank-a", Role.BANK, "Demo Commercial Bank A"),
    ("bank-b", Role.BANK, "Demo Rural Commercial Bank B"),
    ("enterprise-1", Role.ENTERPRISE, "the first enterprise of the demo pilot"),
)


PASSPHRASE_ENV = "CREDTRACE_PASSPHRASE"

group = typer.Typer(help="Back up and restore the home's keys, encrypted with a passphrase.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(group, name="keys")


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


@group.command("backup")
@reported
def backup(ctx: typer.Context, out: Annotated[Path, typer.Argument(help="Archive to write (mode 0600).")]) -> None:
    """Write HOME/keys/*.json and HOME/secrets/* to OUT, encrypted with a passphrase (env CREDTRACE_PASSPHRASE,
    else asked twice)."""
    from api import key_archive
    from ledger.catalogue.vault import KEY_FILES, load_key

    settings = ctx.ensure_object(State).settings()
    for name in KEY_FILES:  # a backup without the catalogue's keys could not bring the data back
        load_key(settings.secrets_dir / name)
    files = key_archive.collect(settings.home)
    sealed = key_archive.seal(files, passphrase(confirm=True))
    try:
        key_archive.write_private(out, sealed)
    except OSError as exc:
        raise ApiError(f"cannot write {out}: {exc.strerror or exc}") from exc
    console.print(f"backed up {len(files)} key files from {settings.home} to {out}")


@group.command("restore")
@reported
def restore(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Argument(help="An archive written by `credtrace keys backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace key files that differ from the archive.")] = False,
) -> None:
    """Put the archive's key files back under the home folder (files 0600, folders 0700)."""
    from api import key_archive

    settings = ctx.ensure_object(State).settings()
    try:
        sealed = archive.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {archive}: {exc.strerror or exc}") from exc
    files = key_archive.unseal(sealed, passphrase(confirm=False), archive)
    for path, done in key_archive.restore(settings.home, files, force):
        console.print(f"{done:<9}{path}")


def passphrase(confirm: bool) -> str:
    """From CREDTRACE_PASSPHRASE, else asked on the terminal without echo (twice for a new archive)."""
    given = os.environ.get(PASSPHRASE_ENV) or typer.prompt("passphrase", hide_input=True, confirmation_prompt=confirm)
    if not given.strip():
        raise ApiError("the passphrase is empty")
    return str(given)
