"""Step 3: every decision re-run. For each application the chain decided:

- its stored records whose payload hashes to the ``Decided`` hash are joined into one envelope
  (:func:`oracle.record.combined`, as ``decision show`` does) and checked as ``decision verify`` checks a record
  (:func:`oracle.verify.checks`: signatures against the keys the registry held then, quorum, model servable,
  terms, hash, the cited ``ACCESS`` events in the log), against evidence from the events read once;
- the model is loaded by its id (the SHA-256 of a HOME/models/*/model.json), the feature vector by its hash
  (``feature_vectors``, its bytes re-hashed), the case (``oracle_cases``) gives the access events, checkpoint
  and decision time; the decision is re-scored under the model's policy (:func:`oracle.pipeline.scored`;
  a decline without a vector is rebuilt with the reason its record gives, the gate's refusal not being
  re-runnable) and the record's payload rebuilt; its SHA-256 must be the hash on chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfc8785
import sqlalchemy as sa

from api.replay.evidence import Index, evidence
from api.replay.report import Report
from api.replay.world import World
from ledger.contracts import ParticipantRegistry
from ledger.contracts.loan_ledger import LoanLedger
from oracle import pipeline, record
from oracle.case import Case
from oracle.claim import Claim, claim
from oracle.errors import OracleError, RecordError
from oracle.verify import checks
from scoring.errors import ScoringError
from scoring.vector import FeatureVector

STEP = "decisions"


def artifacts(models_dir: Path) -> dict[str, Path]:
    """Model id (SHA-256 of the file's bytes) → its model.json under ``models_dir``."""
    found = (path for path in sorted(models_dir.glob("*/model.json")) if path.is_file())
    return {hashlib.sha256(path.read_bytes()).hexdigest(): path for path in found}


class Rerun:
    """What re-running needs, loaded once: the artifacts, the served models, the tables by key."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.paths = artifacts(world.models_dir)
        self.served: dict[str, pipeline.Served | str] = {}
        with world.engine.connect() as conn:
            self.records: dict[int, list[tuple[str, bytes]]] = {}
            for app_id, oracle, raw in conn.execute(sa.text("SELECT application_id, oracle, record "
                                                            "FROM decision_records ORDER BY oracle")):
                self.records.setdefault(int(app_id), []).append((str(oracle), bytes(raw)))
            self.cases = {int(r[0]): r for r in conn.execute(sa.text(
                "SELECT application_id, access_events, tree_size, root_hash, decided_at, opened_by FROM oracle_cases"))}

    def model(self, model_id: str) -> pipeline.Served | str:
        """The served model, or why there is none."""
        if model_id not in self.served:
            self.served[model_id] = self._load(model_id)
        return self.served[model_id]

    def _load(self, model_id: str) -> pipeline.Served | str:
        from scoring import artifact

        path = self.paths.get(model_id)
        if path is None:
            return f"no model artifact under {self.world.models_dir} has the id {model_id} (edited or missing)"
        try:
            return pipeline.served(artifact.read(path), model_id)
        except (OracleError, ScoringError) as exc:
            return f"the model artifact {path} cannot be served: {exc}"

    def vector(self, digest: str) -> FeatureVector | str:
        with self.world.engine.connect() as conn:
            data = conn.scalar(sa.text("SELECT canonical FROM feature_vectors WHERE vector_hash = :h"), {"h": digest})
        if data is None:
            return f"the feature vector {digest} is not stored"
        if hashlib.sha256(bytes(data)).hexdigest() != digest:
            return f"the stored feature vector {digest} does not hash to its key (edited?)"
        return FeatureVector.of(json.loads(bytes(data)))

    def case(self, application_id: int) -> Case | None:
        row = self.cases.get(application_id)
        if row is None:
            return None
        head = None if row[2] is None else record.Checkpoint(int(row[2]), str(row[3]))
        return Case(application_id, tuple(json.loads(row[1])), head, str(row[4]), str(row[5]))


def check(world: World, report: Report, progress: Callable[[int], None] | None = None) -> None:
    chain_id = int(world.chain.web3.eth.chain_id)
    index = Index(world.history, LoanLedger(world.contracts["LoanLedger"]),
                  ParticipantRegistry(world.contracts["ParticipantRegistry"]), chain_id)
    rerun = Rerun(world)
    for app_id in sorted(index.decided):
        report.decisions += 1
        _one(rerun, index, app_id, report)
        if progress:
            progress(1)


def _one(rerun: Rerun, index: Index, app_id: int, report: Report) -> None:
    where = f"application {app_id} (Decided in block {index.decided[app_id]['blockNumber']})"
    on_chain = bytes(index.decided[app_id]["args"]["recordHash"]).hex()
    matching = [raw for _, raw in rerun.records.get(app_id, []) if _hash(raw) == on_chain]
    if not matching:
        report.found(STEP, where, f"no stored decision record has the hash decided on chain ({on_chain}); "
                                  "nothing to re-run")
        return
    try:
        c = claim(record.combined(matching))
    except RecordError as exc:
        report.found(STEP, where, f"the stored record cannot be read: {exc}")
        return
    for failed in (k for k in checks(c, evidence(index, c, rerun.world.store)) if not k.ok):
        report.found(STEP, where, f"record check {failed.name!r} fails: {failed.detail}")
    _rescored(rerun, index, c, where, on_chain, report)


def _hash(raw: bytes) -> str | None:
    try:
        return record.record_hash(raw)
    except RecordError:
        return None


def _rescored(rerun: Rerun, index: Index, c: Claim, where: str, on_chain: str, report: Report) -> None:
    d, app, case = c.decision, index.application(c.decision.application_id), rerun.case(c.decision.application_id)
    served = rerun.model(d.model_id.lower().removeprefix("0x"))
    problem = (served if isinstance(served, str) else "no Applied event" if app is None
               else "no oracle_cases row (deleted?)" if case is None else None)
    vector: FeatureVector | str | None = None
    if problem is None and d.feature_vector_hash:
        vector = rerun.vector(d.feature_vector_hash)
        problem = vector if isinstance(vector, str) else None
    if problem is not None:
        report.found(STEP, where, f"cannot re-run: {problem}")
        return
    assert app is not None and case is not None and not isinstance(served, str)
    redone = (pipeline.scored(app, served, vector, case) if isinstance(vector, FeatureVector)
              else pipeline.declined(app, served, case, d.reasons[0] if d.reasons else pipeline.SANCTIONED))
    ours = hashlib.sha256(rfc8785.dumps(record.statement(redone, app))).hexdigest()
    if ours != on_chain:
        report.found(STEP, where, f"re-run gives a payload hashing to {ours}, not the hash on chain ({on_chain}); "
                                  f"differs in {_differences(record.as_json(redone), c.statement['predicate'])}")


def _differences(ours: dict[str, Any], theirs: Any) -> str:
    names = sorted(k for k in ours.keys() | dict(theirs).keys() if ours.get(k) != dict(theirs).get(k))
    return ", ".join(names) or "the subject (the application as on chain)"
