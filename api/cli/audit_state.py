"""``credtrace audit state-proof``: a credtrace contract's storage proved against a sealed block header.

One slot of a contract (named as in the deployment file, or by address), or the whole record of a consent
(``ConsentRegistry._consents``) or an application (``LoanLedger._applications``), found through the
compiler's storage layout. The node is asked for the block header and an EIP-1186 ``eth_getProof``; every
check is ``ledger.stateproof``'s and trusts nothing the node says: the header's hash, the validator's seal,
the account proof against ``stateRoot``, the contract's code hash against its artifact, each slot against
the account's ``storageRoot``. Every check is printed (ok/FAIL); any failure exits 1.

The validator is ``--validator``, or the one whose key the home's devnet folder holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.cli.context import RpcOption, State, console, opened, reported
from api.settings import Settings

if TYPE_CHECKING:
    from ledger.stateproof import Record, Verdict

CONSENTS = ("ConsentRegistry", "_consents")
APPLICATIONS = ("LoanLedger", "_applications")


def add_to(audit: typer.Typer) -> None:
    audit.command("state-proof")(state_proof)


@dataclass(frozen=True)
class Target:
    """What is proved: a contract (name or address), its slots, and the record they hold, if one."""

    contract: str
    slots: list[int]
    record: Record | None = None
    label: str = ""


@reported
def state_proof(
    ctx: typer.Context,
    contract: Annotated[str | None, typer.Argument(
        metavar="[CONTRACT]", help="ConsentRegistry, LoanLedger, SanctionsList, … or an address.")] = None,
    slot: Annotated[str | None, typer.Argument(metavar="[SLOT]", help="A storage slot, decimal or 0x-hex.")] = None,
    consent: Annotated[str | None, typer.Option("--consent", metavar="ID", help="A consent's record.")] = None,
    application: Annotated[str | None, typer.Option(
        "--application", metavar="ID", help="An application's record.")] = None,
    block: Annotated[int | None, typer.Option("--block", metavar="N", help="A block number; default: the latest.")]
    = None,
    validator: Annotated[str | None, typer.Option(
        "--validator", metavar="ADDRESS", help="The validator who seals; default: the home's devnet validator.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="The checks and values as JSON.")] = False,
    rpc: RpcOption = None,
) -> None:
    """Prove one storage slot, or a consent's or an application's record, against a sealed block header
    (EIP-1186 eth_getProof), trusting no node: print each check and the proven value; exit 1 on a failure."""
    from ledger.stateproof import Expected, verify
    from ledger.stateproof.fetch import fetched

    target = target_of(contract, slot, consent, application)
    if block is not None and block < 0:
        raise ApiError("--block must be a block number (0 or more)")
    settings = ctx.ensure_object(State).settings(rpc)
    address, code_hash = resolved(settings, target.contract)
    expected = Expected(address, target.slots, validator_of(settings, validator), code_hash)
    with opened(settings) as chain:
        found = fetched(chain, address, target.slots, block)
    verdict = verify(found.block, found.proof, expected)
    if as_json:
        console.print_json(json.dumps(document(target, verdict)))
    else:
        for line in lines(target, verdict):
            console.print(line, soft_wrap=True, markup=False)
    verdict.raise_if_failed()


def target_of(contract: str | None, slot: str | None, consent: str | None, application: str | None) -> Target:
    """Exactly one of SLOT, --consent and --application; a record's contract may be left out."""
    if sum(x is not None for x in (slot, consent, application)) != 1:
        raise ApiError("give one of SLOT, --consent ID and --application ID")
    if consent is not None:
        from ledger.contracts.consent import parse_consent_id

        return _record_target(contract, CONSENTS, parse_consent_id(consent), f"consent {consent.lower()}")
    if application is not None:
        from api.actions.loan_args import application_id

        number = application_id(application)
        return _record_target(contract, APPLICATIONS, number, f"application {number}")
    if contract is None:
        raise ApiError("give the CONTRACT whose SLOT to prove")
    return Target(contract, [slot_number(str(slot))])


def _record_target(contract: str | None, where: tuple[str, str], key: int | bytes, label: str) -> Target:
    from ledger.stateproof import storage_layout

    name, variable = where
    if contract is not None and contract != name:
        raise ApiError(f"a {label.split()[0]} is kept by {name}, not {contract}")
    record = storage_layout(name).mapping_record(variable, key)
    return Target(name, record.slots, record, label)


def slot_number(text: str) -> int:
    try:
        number = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise ApiError(f"SLOT must be a number (decimal or 0x-hex), not {text!r}") from None
    if not 0 <= number < 2**256:
        raise ApiError(f"SLOT {text} is not a 256-bit slot")
    return number


def resolved(settings: Settings, contract: str) -> tuple[bytes, bytes | None]:
    """The contract's address (a name through the deployment file) and its artifact's code hash, if known."""
    from eth_utils.address import is_hex_address, to_canonical_address

    from ledger.chain import artifact, deployment

    if is_hex_address(contract):
        address = to_canonical_address(contract)
        records = deployment.load(settings.deployment_path).contracts if settings.deployment_path.exists() else {}
        names = [n for n, r in records.items() if to_canonical_address(r.address) == address]
        return address, artifact.load(names[0]).code_hash if names else None
    records = deployment.load(settings.deployment_path).contracts
    if contract not in records:
        raise ApiError(f"{contract} is not in the deployment ({', '.join(sorted(records))}) nor an address")
    return to_canonical_address(records[contract].address), artifact.load(contract).code_hash


def validator_of(settings: Settings, given: str | None) -> bytes | None:
    """``--validator``, or the address of the key in the home's devnet folder (None if there is none)."""
    from eth_keys.datatypes import PrivateKey
    from eth_utils.address import is_hex_address, to_canonical_address

    if given is not None:
        if not is_hex_address(given):
            raise ApiError(f"--validator must be an address, not {given!r}")
        return bytes(to_canonical_address(given))
    path = settings.devnet_dir / "validator.key"
    if not path.exists():
        return None
    try:
        return bytes(PrivateKey(bytes.fromhex(path.read_text().strip().removeprefix("0x"))).public_key
                     .to_canonical_address())
    except ValueError as exc:
        raise ApiError(f"{path}: not a validator key ({exc})") from exc


def lines(target: Target, verdict: Verdict) -> list[str]:
    """The checks, one a line, then the record's fields or the slot's value."""
    head = verdict.block
    out = [f"state proof of {target.contract} 0x{verdict.address.hex()} at block {head.number} (0x{head.hash.hex()})"]
    width = max(len(check.name) for check in verdict.checks if not check.name.startswith("slot "))
    out += [f"  {'ok' if c.ok else 'FAIL':4}  {c.name:{width}}  {c.detail}" for c in verdict.checks]
    if target.record is not None and len(verdict.values) == len(target.slots):
        out.append(f"{target.label}: {target.contract}.{target.record.variable} at slot {target.record.base:#x}")
        if not any(verdict.values.values()):
            return [*out, "  no record: every slot of it is proven empty"]
        fields = record_fields(target.record, verdict)
        name_width = max(len(name) for name in fields)
        out += [f"  {name:{name_width}}  {value}" for name, value in fields.items()]
    return out


def record_fields(record: Record, verdict: Verdict) -> dict[str, Any]:
    from ledger.stateproof.layout import decoded

    return {field.name: decoded(field, verdict.values) for field in record.fields}


def document(target: Target, verdict: Verdict) -> dict[str, Any]:
    head = verdict.block
    doc: dict[str, Any] = {
        "contract": target.contract, "address": "0x" + verdict.address.hex(), "ok": verdict.ok,
        "block": {"number": head.number, "hash": "0x" + head.hash.hex(), "stateRoot": "0x" + head.state_root.hex()},
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in verdict.checks],
        "slots": {hex(slot): f"{value:#066x}" for slot, value in verdict.values.items()},
    }
    if target.record is not None and len(verdict.values) == len(target.slots):
        fields = record_fields(target.record, verdict)
        doc["record"] = {"of": target.label, "variable": target.record.variable,
                         "exists": any(verdict.values.values()), **fields}
    return doc
