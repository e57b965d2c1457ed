"""``credtrace consent``: an enterprise grants or revokes a bank's use of its data (R4)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import ApiOption, RpcOption, State, console, keystore, opened, reported

if TYPE_CHECKING:
    from ledger.chain import Identity
    from ledger.contracts.consent import Category, Grant
    from ledger.types import Address

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
    api: ApiOption = None,
) -> None:
    """The enterprise signs the grant (EIP-712); the operator submits it; prints the consent id."""
    from api.actions.consents import submit_grant
    from api.platform import opened_platform
    from ledger.contracts.consent import Grant, grant_terms, new_nonce

    purpose, expires = grant_terms(purpose_text, days, int(time.time()))  # before any chain is opened
    wanted = categories(category)
    settings = ctx.ensure_object(State).settings(rpc)
    store = keystore(settings)
    who, grantee = store.load(enterprise), store.load(bank)
    if not who.credit_code:
        raise ApiError(f"{enterprise} has no credit code in its key file: it is not an enterprise")
    if api is not None:
        console.print(granted_remotely(api, who, grantee.address, wanted, purpose, expires))
        return
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        g = Grant(who.address, grantee.address, bytes.fromhex(p.pseudonymise(who.credit_code)),
                  wanted, purpose, 0, expires, new_nonce())
        console.print(submit_grant(p, g, p.consents.sign_grant(g, who.account)))


def granted_remotely(url: str, who: Identity, bank: Address, wanted: Category, purpose: bytes, expires: int) -> str:
    """The grant signed here, with the domain and the enterprise's subject the server gives, and sent."""
    from api.cli.context import remote
    from ledger.contracts.consent import Grant, new_nonce, sign_grant

    with remote(url, who) as client:
        terms = client.get("/v1/consents/domain")
        g = Grant(who.address, bank, bytes.fromhex(terms["subject"].removeprefix("0x")), wanted, purpose, 0, expires,
                  new_nonce())
        signature = sign_grant(g, who.account, terms["chain_id"], terms["verifying_contract"])
        answer = client.post("/v1/consents", grant_body(g, signature))
    return str(answer["consent_id"])


def grant_body(g: Grant, signature: bytes) -> dict[str, object]:
    """``POST /v1/consents``'s body: the EIP-712 Grant's fields (bytes as 0x hex) and the signature."""
    return {"enterprise": g.enterprise, "bank": g.bank, "subject": "0x" + g.subject.hex(),
            "categories": int(g.categories), "purpose": "0x" + g.purpose.hex(), "not_before": g.not_before,
            "expires_at": g.expires_at, "nonce": str(g.nonce), "signature": "0x" + signature.hex()}


def categories(names: list[str]) -> Category:
    from api.actions.consents import categories as parsed

    return parsed(names)


@group.command("revoke")
@reported
def revoke(
    ctx: typer.Context,
    consent_id: str,
    enterprise: Annotated[str, typer.Option(help="Key name of the enterprise that revokes.")] = "enterprise-1",
    rpc: RpcOption = None,
    api: ApiOption = None,
) -> None:
    """The enterprise signs the revocation (EIP-712 ``Revoke``); the operator submits it, so a
    suspended enterprise, whose own transactions the chain no longer admits, can still revoke."""
    from api.actions.consents import submit_revoke
    from api.platform import opened_platform
    from ledger.contracts.consent import consent_id_hex, new_nonce, parse_consent_id

    settings = ctx.ensure_object(State).settings(rpc)
    who, cid = keystore(settings).load(enterprise), parse_consent_id(consent_id)
    nonce = new_nonce()
    if api is not None:
        from api.cli.context import remote
        from ledger.contracts.consent import sign_revoke

        with remote(api, who) as client:
            terms = client.get("/v1/consents/domain")
            signature = sign_revoke(cid, nonce, who.account, terms["chain_id"], terms["verifying_contract"])
            client.post(f"/v1/consents/{consent_id_hex(cid)}/revocation",
                        {"nonce": str(nonce), "signature": "0x" + signature.hex()})
    else:
        with opened(settings) as chain, opened_platform(settings, chain) as p:
            submit_revoke(p, cid, nonce, p.consents.sign_revoke(cid, nonce, who.account))
    console.print(f"revoked {consent_id}")
