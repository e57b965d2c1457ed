"""Whose copy a leaked export is (seeds R7, the leak emergency plan), shared by ``credtrace audit leak`` and
``POST /v1/audit/leaks``.

The file's fingerprint tokens are matched against the OUTPUT events of the log
(:mod:`ledger.catalogue.leak`); each event found is proved in a checkpoint anchored on chain and the proof
checked against the chain (:mod:`ledger.provenance.witness`, the contract's verifier too). A file whose
tokens were stripped or altered is *untraceable*: nothing is attributed. :func:`describe` words the JSON
document, so the command prints the same lines whether it traced the file itself or asked a server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api import ApiError

if TYPE_CHECKING:
    from ledger.catalogue.leak import Attribution
    from ledger.provenance import LogStore
    from ledger.provenance.witness import WitnessCheck

UNTRACEABLE = ("untraceable: no fingerprint in {path} names an export in the log (stripped or altered); "
               "the leak is not attributed to anyone")


@dataclass(frozen=True)
class Leak:
    """A traced leak: the file's name and hash, the exports it came from with their verified witnesses."""

    name: str
    sha256: str
    found: list[tuple[Attribution, dict[str, Any]]]
    unknown: int

    def to_json(self) -> dict[str, Any]:
        return {"traceable": bool(self.found), "file": self.name, "file_sha256": self.sha256,
                "exports": [_export(a, w) for a, w in self.found], "unknown_fingerprints": self.unknown}

    @property
    def recipients(self) -> list[str]:
        return sorted({a.recipient for a, _ in self.found})


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ApiError(f"cannot read {path}: {exc.strerror or exc}") from exc


def traced(name: str, raw: bytes, store: LogStore, check: WitnessCheck) -> Leak:
    """The file ``raw`` (called ``name``) traced through ``store``'s OUTPUT events, each proved and checked."""
    from ledger.catalogue.leak import parse, trace
    from ledger.provenance.witness import prove_all

    try:
        documents = parse(raw.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError too
        raise ApiError(f"{name} is not JSON or JSON Lines: {exc}") from exc
    found = trace(documents, ((i, body) for i, _, body in store.leaves(0, store.size())))
    found_at = [str(a.event_index) for a in found.attributions]
    witnesses = list(prove_all(store, found_at, check)) if found_at else []
    for witness in witnesses:
        check(witness)  # the audit path through the ProvenanceLog contract's verifier too
    return Leak(name, hashlib.sha256(raw).hexdigest(), list(zip(found.attributions, witnesses, strict=True)),
                found.unknown)


def describe(doc: dict[str, Any]) -> list[str]:
    """The lines ``audit leak`` prints, from the JSON document (:meth:`Leak.to_json`)."""
    exports = doc["exports"]
    lines = [] if exports else [f"{doc['file']}: untraceable (sha256 {doc['file_sha256']})"]
    for x in exports:
        w = x["witness"]
        lines += [f"leaked by {x['recipient']}: OUTPUT event {x['event_index']} at {x['time']}, exported by "
                  f"{x['exported_by']}",
                  f"  enterprise {x['enterprise']}, consent {x['consent']}; {x['matched']} object(s) of the file are "
                  f"from this export, {x['intact']} unaltered",
                  f"  inclusion proof verified against tree size {w['inclusion']['tree_size']} anchored on chain "
                  f"in block {w['anchor']['block']} (tx {w['anchor']['tx']})"]
    if exports and doc["unknown_fingerprints"]:
        lines.append(f"  {doc['unknown_fingerprints']} other fingerprint(s) in the file name no export (altered?)")
    return lines


def _export(a: Attribution, witness: dict[str, Any]) -> dict[str, Any]:
    e = a.event
    return {"recipient": a.recipient, "event_index": a.event_index, "time": e["time"], "exported_by": e["actor"],
            "enterprise": e["subject"], "consent": e["consent"], "matched": a.matched, "intact": a.intact,
            "witness": witness}
