"""``credtrace consent``: an enterprise grants or revokes a bank's use of its data (R4)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for

if TYPE_CHECKING:
    from ledger.contracts.consent import Category

group = typer.Typer(help="Consents (ConsentRegistry): EIP-712 grants signed by the enterprise.",
                    no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="consent")


@group.command("grant")
@reported
def grant(
    ctx: typer.Context,
    category: Annotated[list[str], typer.Option("--category", help="tax, social_security, …; repeatable.")],
    purpose_text: Annotated[str, typer.Option("--purpose", help="What the bank may use it for.")],
    enterprise: Annotated[str, typer.Option(help="Key name of the enterprise that signs.")] = "enterprise-1",
    bank: Annotated[str, typer.Option(help="Key name of the bank it is granted to.")] = "bank-a",
    days: Annotated[int, typer.Option(help="Valid for this many days from now (at most 1825).")] = 90,
    rpc: RpcOption = None,
) -> None:
    """The enterprise signs the grant (EIP-712); the operator submits it; prints the consent id."""
    from api.platform import opened_platform
    from ledger.contracts.consent import Grant, consent_id_hex, grant_terms, new_nonce

    purpose, expires = grant_terms(purpose_text, days, int(time.time()))  # before any chain is opened
    wanted = categories(category)
    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    who, grantee = store.load(enterprise), store.load(bank)
    if not who.credit_code:
        raise ApiError(f"{enterprise} has no credit code in its key file: it is not an enterprise")
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        g = Grant(who.address, grantee.address, bytes.fromhex(p.pseudonymise(who.credit_code)),
                  wanted, purpose, 0, expires, new_nonce())
        p.consents.grant(sender_for(chain, p.operator), g, p.consents.sign_grant(g, who.account))
        console.print(consent_id_hex(p.consents.consent_id(g)))


def categories(names: list[str]) -> Category:
    from ledger.contracts.consent import Category

    wanted = Category(0)
    for name in names:
        try:
            wanted |= Category[name.upper()]
        except KeyError:
            known = ", ".join(str(c.name).lower() for c in Category)
            raise ApiError(f"unknown category {name!r}; known: {known}") from None
    return wanted


@group.command("revoke")
@reported
def revoke(
    ctx: typer.Context,
    consent_id: str,
    enterprise: Annotated[str, typer.Option(help="Key name of the enterprise that revokes.")] = "enterprise-1",
    rpc: RpcOption = None,
) -> None:
    """The enterprise signs the revocation (EIP-712 ``Revoke``); the operator submits it, so a
    suspended enterprise, whose own transactions the chain no longer admits, can still revoke."""
    from api.platform import opened_platform
    from ledger.contracts.consent import new_nonce, parse_consent_id

    settings = ctx.ensure_object(State).settings(rpc)
    who, cid = keystore(settings).load(enterprise), parse_consent_id(consent_id)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        nonce = new_nonce()
        signature = p.consents.sign_revoke(cid, nonce, who.account)
        p.consents.revoke_signed(sender_for(chain, p.operator), cid, nonce, signature)
    console.print(f"revoked {consent_id}")
