"""Who may supply which dataset (seeds R3; issue 12): an active PROVIDER whose organisation is the
department that owns the dataset, and no one else.

A department's organisation id is a well-known one, :func:`department_org_id`
(``org_id("department/tax")``, ``ledger.chain.identity``). Registering an account as a PROVIDER
with it is an operator's act on chain (``ParticipantRegistry.register``), and that act is what makes
the account speak for the department; the schema says which department owns each dataset
(:data:`~ledger.catalogue.schema.SCHEMAS`). The chain and the schema decide together: no
command-line flag can. A refusal is recorded as ``DENIED`` by ``ledger.catalogue.ingest``, like the
access gate's.
"""

from __future__ import annotations

from typing import Protocol

from ledger.catalogue.schema import SCHEMAS
from ledger.chain.identity import org_id
from ledger.contracts.participant_registry import Participant
from ledger.errors import LedgerError
from ledger.types import Address, OrgId, Role, Status


class Roles(Protocol):
    def participant(self, account: Address) -> Participant: ...


def department_organisation(department: str) -> str:
    """The organisation name whose hash is the department's org id (``department/tax``)."""
    return f"department/{department}"


def department_org_id(department: str) -> OrgId:
    return org_id(department_organisation(department))


def refusal(roles: Roles, provider: Address, dataset: str) -> str | None:
    """Why ``provider`` may not supply ``dataset``, or None if it may. Never repeats a row."""
    schema = SCHEMAS.get(dataset)
    if schema is None:
        return f"{_shown(dataset)} is not a dataset the platform holds; known: {', '.join(sorted(SCHEMAS))}"
    try:
        who = roles.participant(provider)
    except LedgerError:  # an unregistered account: the registry reverts
        return f"{provider} is not a registered participant"
    if who.role is Role.NONE:
        return f"{provider} is not a registered participant"
    if who.role is not Role.PROVIDER:
        return f"role {who.role.name} may not supply data; only a department (PROVIDER) may"
    if who.status is not Status.ACTIVE:
        return f"the provider is {who.status.name.lower()}, not active"
    if bytes(who.org_id) != department_org_id(schema.department):
        return (f"the provider is not registered for the {schema.department} department, which alone supplies "
                f"{dataset} (its org id is that of {department_organisation(schema.department)!r})")
    return None


def _shown(name: str) -> str:
    """A dataset name as given, if it looks like one; never an arbitrary string in the log."""
    ok = len(name) <= 40 and name.replace("_", "").isascii() and name.replace("_", "").isalnum()
    return repr(name) if ok and name.islower() else "the dataset named"
