"""What a regulator does on chain, shared by ``credtrace sanctions|model`` and the regulators' routes:
sanction and lift an enterprise (seeds R9, joint punishment), approve and retire a model. Each takes the
sender of the regulator's own account; the contracts check that it is an active regulator (the role
checks, and any k-of-n quorum a contract keeps, stay where the chain enforces them).

A reason's text is kept in the platform's database in the same commit as the transaction that puts its
hash on chain (``ReasonTexts.keeping``); identifiers are checked before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from api.settings import Settings

if TYPE_CHECKING:
    from api.platform import Platform
    from ledger.chain import Chain, TransactionSender
    from ledger.contracts import ModelRegistry
    from ledger.contracts.reason import Reason

SanctionAct = Literal["sanction", "lift"]


@dataclass(frozen=True)
class Sanctioned:
    """What the list says of the enterprise after the act: listed or not, under its pseudonym."""

    listed: bool
    subject: str

    def line(self, credit_code: str) -> str:
        """What ``sanctions add|lift`` prints."""
        return f"{credit_code}: {'listed' if self.listed else 'not listed'} (pseudonym {self.subject[:16]}…)"


def sanction_args(credit_code: str, why: str) -> tuple[str, Reason]:
    """The credit code checked (GB 32100-2015) and the reason encoded: both before any chain is opened."""
    from ledger.contracts.reason import encode
    from ledger.identifiers.uscc import validate

    code = validate(credit_code)
    return code, encode(why)


def sanction(p: Platform, by: TransactionSender, act: SanctionAct, credit_code: str, why: str) -> Sanctioned:
    """List (``sanction``) or lift the enterprise; the gate and the oracle refuse a listed one."""
    code, reason = sanction_args(credit_code, why)
    subject = p.pseudonymise(code)
    with p.reasons.keeping(reason):  # committed with the transaction: the chain's hash has its text
        getattr(p.sanctions, act)(by, subject, why)
    return Sanctioned(p.sanctions.is_sanctioned(subject), subject)


def model_registry(chain: Chain, settings: Settings) -> ModelRegistry:
    from ledger.chain import deployment
    from ledger.contracts import ModelRegistry
    from ledger.contracts.model_registry import NAME as MODELS

    return ModelRegistry(deployment.contract(chain, deployment.load(settings.deployment_path), MODELS))


def model_id(text: str) -> str:
    """A model id checked (64 hex digits) before any chain is opened."""
    from ledger.contracts.model_registry import id_bytes

    id_bytes(text)
    return text


def approve(models: ModelRegistry, by: TransactionSender, model: str) -> None:
    """A regulator approves a registered model: from now on it may serve decisions."""
    models.approve(by, model_id(model))


def retire(p: Platform, models: ModelRegistry, by: TransactionSender, model: str, why: str) -> None:
    """A regulator retires a model: it no longer serves decisions. The reason's text commits with it."""
    from ledger.contracts.reason import encode

    reason = encode(why)
    with p.reasons.keeping(reason):
        models.retire(by, model_id(model), why)
