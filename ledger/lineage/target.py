"""What ``audit trace`` follows: one enterprise, dataset, asset or application, as the hashes, log
indexes and request ids its provenance events carry.

An enterprise is named by credit code on the command line but is only ever its pseudonym here: the log
and the chain hold nothing else (``ledger.provenance.event``), so the trace shows nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    kind: str
    """``enterprise``, ``dataset``, ``asset`` or ``application``."""
    label: str
    """What is shown: the pseudonym, the dataset's name, the hash, the application id."""
    subject: str | None = None
    """The enterprise's pseudonym: events about it are selected (an application's subject is shown only)."""
    hashes: frozenset[str] = field(default_factory=frozenset)
    """SHA-256 (hex) of assets: an event whose assets or outputs hold one is selected."""
    indexes: frozenset[int] = field(default_factory=frozenset)
    """Log indexes named by the catalogue (the INGEST events of the batches that hold the target's records)."""
    request_ids: frozenset[str] = field(default_factory=frozenset)
    """An application's events carry ``loan application N`` as their request id."""
    applications: tuple[int, ...] = ()
    """The loan applications whose chain events belong to the trace."""
    by_subject: bool = True
    """Select every event about ``subject`` (an enterprise), or show it only (an application)."""


def request_id(application_id: int) -> str:
    """The request id the oracle gives its gate reads and its DECISION event (``oracle.service``)."""
    return f"loan application {application_id}"
