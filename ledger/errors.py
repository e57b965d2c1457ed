"""The ledger's errors; the tree is drawn in the package docstring."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, ClassVar


class LedgerError(Exception):
    """Base of every error the ledger package raises."""


class ArtifactError(LedgerError):
    """A compiled-contract artifact is missing, malformed or not what was deployed."""


class ChainError(LedgerError):
    """The node is unreachable, answered nonsense, or cannot fund an account."""


class TransactionError(LedgerError):
    """A transaction was refused by the node or not mined in time."""


class ContractRevert(TransactionError):
    """A contract reverted with a custom error (or ``Error``/``Panic``).

    ``error`` is the Solidity error name and ``args`` its decoded arguments by name.
    ``ContractRevert.named("NotAuthorized")`` is the subclass for one error, so callers
    can write ``except ContractRevert.named("NotAuthorized")``.
    """

    _subclasses: ClassVar[dict[str, type[ContractRevert]]] = {}

    def __init__(self, error: str, args: Mapping[str, Any], contract: str | None = None) -> None:
        self.error = error
        self.args_by_name = dict(args)
        self.contract = contract
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.args_by_name.items())
        where = f"{contract}: " if contract else ""
        super().__init__(f"{where}{error}({shown})")

    @classmethod
    def named(cls, error: str) -> type[ContractRevert]:
        if error not in cls._subclasses:
            cls._subclasses[error] = type(error, (ContractRevert,), {"__module__": __name__})
        return cls._subclasses[error]

    @classmethod
    def raised(cls, error: str, args: Mapping[str, Any], contract: str | None) -> ContractRevert:
        """An instance of the subclass named after ``error``."""
        return cls.named(error)(error, args, contract)


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, IntEnum):
        return value.name
    return str(value)


class DeploymentError(LedgerError):
    """No deployment, a live one already, or on-chain code that differs from the artifact."""


class EventError(LedgerError):
    """A provenance event does not fit the model (the message names the field)."""


class NotFound(LedgerError):
    """What was asked for by its id is not there (an event by index or leaf hash); the API answers 404."""


class VerificationError(LedgerError):
    """A proof, signature or record did not verify; the message names what failed."""


class IdentityError(LedgerError):
    """Keys are missing, malformed, or would be overwritten."""
