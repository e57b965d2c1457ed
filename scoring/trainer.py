"""Training: champion scorecard + challenger, cross-validated, calibrated, evaluated (seeds R1, R6, R11).

:func:`train` is pure apart from reading a clock for the report's timings: the same data and seed
give the same artifact, byte for byte (timings live only in the report). Steps:

1. 5-fold ``StratifiedKFold(shuffle=True, random_state=seed)`` on the development rows (all rows,
   or those outside ``oot_mask``): the whole champion pipeline (binning, selection, regression,
   points) is refitted on each training part and scores the held-out part → ``cv_auc`` and
   out-of-fold scores; the challenger is refitted on the same folds → ``challenger_cv_auc``;
2. the champion refitted on all development rows; Platt calibration fitted on the out-of-fold scores;
3. evaluation (:mod:`scoring.evaluation`) on the OOT rows when given (PSI/CSI against development),
   else on the development rows themselves (in-sample: ``cv_auc`` is then the honest figure).

:func:`train_files` and :func:`score_file` are the file-level edges the ``credtrace model`` command uses.
"""

from __future__ import annotations

import csv
import json
import platform
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np
import sklearn  # type: ignore[import-untyped]
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from scoring import artifact, calibration, challenger, evaluation, report_page, scorecard, screening
from scoring import table as table_
from scoring.binning import BinningRules
from scoring.challenger import ChallengerRules
from scoring.dataset import Dataset, Kind, read_csv
from scoring.errors import DataError, ScoringInputError, TrainingError
from scoring.reasons import Description, describe_from_json
from scoring.scorecard import DEFAULT_SCALING, Champion, Scaling, SelectionRules
from scoring.screening import Screened, ScreenRules

Folds = list[tuple[NDArray[np.int64], NDArray[np.int64]]]
Decide = Callable[[Mapping[str, Any], float, Mapping[str, str]], Mapping[str, str]]
DECISION_FIELDS = ("decision", "limit", "rate")
MAX_REASONS = 4
MIN_PER_FOLD = 4  # fewer bads or goods per cross-validation fold: training is refused
WARN_PER_FOLD = 20  # fewer: a warning in the report and on the command line
T = TypeVar("T")


@dataclass(frozen=True)
class Rules:
    binning: BinningRules = field(default_factory=BinningRules)
    selection: SelectionRules = field(default_factory=SelectionRules)
    challenger: ChallengerRules = field(default_factory=ChallengerRules)
    folds: int = 5
    threads: int | None = 1  # BLAS/OpenMP threads while training; None = the libraries' default (all cores)


DEFAULT_RULES = Rules()
DEFAULT_SCREEN = ScreenRules()


def train(
    dataset: Dataset, *, seed: int = 7, scaling: Scaling = DEFAULT_SCALING, monotone: Mapping[str, int] | None = None,
    descriptions: Mapping[str, str] | None = None, oot_mask: NDArray[np.bool_] | None = None,
    policy: Any = None, rules: Rules = DEFAULT_RULES, clock: Callable[[], float] = time.perf_counter,
    screen: ScreenRules = DEFAULT_SCREEN, describe: Mapping[str, Description] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train the champion (in the artifact) and the challenger (in the report only).

    Only the columns :func:`scoring.screening.screen` keeps are candidates (not excluded, not
    protected, not identifiers, not leaks); each column's fate is in the report's ``features``.

    Native thread pools are held to ``rules.threads`` (threadpoolctl): scikit-learn's boosting
    otherwise starts one OpenMP thread per core in every process, and on a shared two-core machine
    the oversubscribed threads made the challenger ten times slower (``scripts/bench/scoring_train.py``
    measures both). The results do not depend on it: the same artifact either way.
    """
    with threadpool_limits(limits=rules.threads):
        return _train(dataset, seed=seed, scaling=scaling, monotone=monotone, descriptions=descriptions,
                      oot_mask=oot_mask, policy=policy, rules=rules, clock=clock, screen=screen,
                      describe=describe)


def _train(
    dataset: Dataset, *, seed: int, scaling: Scaling, monotone: Mapping[str, int] | None,
    descriptions: Mapping[str, str] | None, oot_mask: NDArray[np.bool_] | None,
    policy: Any, rules: Rules, clock: Callable[[], float], screen: ScreenRules,
    describe: Mapping[str, Description] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    timings: dict[str, float] = {}
    lap = _lap(clock, timings)
    dev, oot = _split(dataset.with_monotone(monotone), oot_mask)
    warnings = _enough_rows(dev, rules.folds)
    screened = screening.screen(dev, screen, rules.binning)
    if not screened.kept:
        raise TrainingError(f"no column is left to train on: {_why(screened.dropped)}")
    kinds = dict(dev.kinds)
    dev, oot = dev.select(screened.kept), None if oot is None else oot.select(screened.kept)
    warnings += screened.warnings
    folds = _folds(dev, seed, rules.folds)
    oof, fold_aucs = _champion_cv(dev, folds, scaling, rules)
    lap("champion_cv")
    notes: list[str] = []
    challenger_aucs = _challenger_cv(dev, folds, seed, rules.challenger, notes)
    lap("challenger_cv")
    champion = scorecard.fit_champion(dev, scaling, rules.binning, rules.selection)
    platt = calibration.fit(oof, dev.target, scaling)
    training = _summary(dev, champion, seed, rules, _candidates(champion, screened, kinds))
    doc = artifact.build(champion, platt, descriptions=descriptions, training=training,
                         libraries=_libraries(), policy=policy_json(policy), describe=describe)
    model_id = artifact.model_id(doc)
    lap("champion_fit")
    rival = _attempt(lambda: challenger.fit(dev, seed, rules.challenger), notes) if challenger_aucs else None
    lap("challenger_fit")
    ev = _evaluate(champion, platt, rival, dev, oot)
    lap("evaluation")
    report = {
        "model_id": model_id, "cv_auc": _mean(fold_aucs), "cv_auc_folds": fold_aucs,
        "challenger_cv_auc": _mean(challenger_aucs) if challenger_aucs else None,
        "challenger_cv_auc_folds": challenger_aucs, "challenger_notes": notes,
        "auc": ev["auc"], "ks": ev["ks"], "gini": ev["gini"], "brier": ev["brier"], "evaluation": ev,
        "features": doc["training"]["candidates"], "data": dict(dataset.source), "warnings": warnings,
        "timings": {**timings, "total": round(sum(timings.values()), 3)},
    }
    return doc, report


def _lap(clock: Callable[[], float], timings: dict[str, float]) -> Callable[[str], None]:
    last = [clock()]

    def lap(name: str) -> None:
        now = clock()
        timings[name] = round(now - last[0], 3)
        last[0] = now

    return lap


def _split(data: Dataset, oot_mask: NDArray[np.bool_] | None) -> tuple[Dataset, Dataset | None]:
    if oot_mask is None:
        return data, None
    mask = np.asarray(oot_mask, dtype=bool)
    if mask.shape != (data.rows,):
        raise DataError(f"oot_mask must have one boolean per row ({data.rows}), got shape {mask.shape}")
    oot = data.subset(mask)
    if oot.rows == 0 or oot.target.sum() in (0, oot.rows):
        raise TrainingError(f"the out-of-time sample needs goods and bads: {oot.rows} rows, {oot.target.sum()} bad")
    return data.subset(~mask), oot


def _enough_rows(data: Dataset, k: int) -> list[str]:
    """Refuse fewer than :data:`MIN_PER_FOLD` bads or goods per cross-validation fold (the AUCs
    would be noise: twelve rows used to train to an in-sample AUC of 1.0); warn below
    :data:`WARN_PER_FOLD`."""
    bads = int(data.target.sum())
    fewest = min(bads, data.rows - bads)
    if fewest < MIN_PER_FOLD * k:
        raise TrainingError(f"too little data: {k}-fold cross-validation needs at least {MIN_PER_FOLD * k} goods "
                            f"and {MIN_PER_FOLD * k} bads ({MIN_PER_FOLD} per fold); got {bads} bad of {data.rows} rows"
                            )
    if fewest < WARN_PER_FOLD * k:
        return [f"little data: {bads} bad of {data.rows} rows; below {WARN_PER_FOLD * k} goods or bads "
                f"({WARN_PER_FOLD} per fold) the figures are uncertain"]
    return []


def _why(dropped: Mapping[str, str]) -> str:
    return "; ".join(f"{n}: {w}" for n, w in sorted(dropped.items())) or "the file has no feature columns"


def _folds(data: Dataset, seed: int, k: int) -> Folds:
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(a, b) for a, b in splitter.split(np.zeros(data.rows), data.target)]


def _champion_cv(
    data: Dataset, folds: Folds, scaling: Scaling, rules: Rules
) -> tuple[NDArray[np.float64], list[float]]:
    oof = np.empty(data.rows, dtype=np.float64)
    aucs = []
    for fit_rows, test_rows in folds:
        card = scorecard.fit_champion(data.subset(fit_rows), scaling, rules.binning, rules.selection).scorecard
        test = data.subset(test_rows)
        oof[test_rows] = scorecard.scores(card, test.columns)
        aucs.append(round(evaluation.auc(test.target, -oof[test_rows]), 6))
    return oof, aucs


def _challenger_cv(data: Dataset, folds: Folds, seed: int, rules: ChallengerRules, notes: list[str]) -> list[float]:
    """The challenger's fold AUCs, or [] (with a note why) when it cannot be fitted: it only supplies
    metrics, so its failure never aborts training."""
    aucs = _attempt(lambda: [_challenger_fold(data, f, seed, rules) for f in folds], notes)
    return aucs or []


def _attempt(work: Callable[[], T], notes: list[str]) -> T | None:
    try:
        return work()
    except (ValueError, ArithmeticError, TrainingError) as e:  # scikit-learn reports bad input as ValueError
        notes.append(f"challenger not fitted: {e}")
        return None


def _challenger_fold(data: Dataset, fold: tuple[NDArray[np.int64], NDArray[np.int64]], seed: int,
                     rules: ChallengerRules) -> float:
    test = data.subset(fold[1])
    model = challenger.fit(data.subset(fold[0]), seed, rules)
    return round(evaluation.auc(test.target, challenger.predict(model, test)), 6)


def _mean(values: list[float]) -> float:
    return round(float(np.mean(values)), 6)


def _evaluate(champion: Champion, platt: calibration.Platt, rival: challenger.Challenger | None, dev: Dataset,
              oot: Dataset | None) -> dict[str, Any]:
    card = champion.scorecard
    sample = oot if oot is not None else dev
    scores = scorecard.scores(card, sample.columns)
    stability: dict[str, Any] = {}
    if oot is not None:
        stability = {"development_scores": scorecard.scores(card, dev.columns),
                     "csi_by_feature": evaluation.csi(card, dev.columns, oot.columns)}
    rival_pd = None if rival is None else challenger.predict(rival, sample)
    return evaluation.evaluate(
        scores=scores, pd=calibration.pds(platt, scores), y=sample.target,
        challenger_pd=rival_pd, sample="out-of-time" if oot is not None else "development",
        **stability,
    )


def _summary(data: Dataset, champion: Champion, seed: int, rules: Rules, candidates: list[dict[str, Any]]
             ) -> dict[str, Any]:
    return {
        "rows": data.rows, "bads": int(data.target.sum()), "seed": seed, "folds": rules.folds,
        "binning": asdict(rules.binning), "selection": asdict(rules.selection),
        "calibration_sample": "out-of-fold scores of the cross-validation",
        "candidates": candidates,
    }


def _candidates(champion: Champion, screened: Screened, kinds: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every column, with its IV and single-feature AUC (when it was binned) and what became of it;
    ``left_out`` when screening kept it from being a candidate at all."""
    fitted = [{**asdict(c), "auc": screened.auc.get(c.name), "left_out": False} for c in champion.candidates]
    left_out = [{"name": n, "kind": kinds[n], "iv": screened.iv.get(n), "auc": screened.auc.get(n), "outcome": why,
                 "left_out": True} for n, why in screened.dropped.items()]
    return sorted(fitted + left_out, key=lambda c: str(c["name"]))


def _libraries() -> dict[str, str]:
    return {"python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__}


def policy_json(policy: Any) -> dict[str, Any] | None:
    """A policy as JSON: a mapping, or an object with ``as_json()`` (:class:`scoring.policy.Policy`)."""
    if policy is None or isinstance(policy, Mapping):
        return None if policy is None else dict(policy)
    if callable(getattr(policy, "as_json", None)):
        return dict(policy.as_json())
    raise TrainingError(f"policy must be a mapping or have as_json(), not {type(policy).__name__}")


def train_files(
    data_csv: str | Path, target: str, bad_value: str | None, out_dir: str | Path, *,
    ignore: Collection[str] = (), kinds: Mapping[str, Kind] | None = None, good_values: Collection[str] = (),
    describe_json: str | Path | None = None, encoding: str | None = None, delimiter: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Read ``data_csv`` (:func:`~scoring.dataset.read_csv`), :func:`train` with ``options``, and write
    ``model.json`` (canonical bytes: its SHA-256 is the model id), ``report.json``, ``report.html``.
    ``describe_json`` is a file of reason texts (:func:`scoring.reasons.describe_from_json`)."""
    data = read_csv(data_csv, target, bad_value, ignore=ignore, kinds=kinds, good_values=good_values,
                    encoding=encoding, delimiter=delimiter)
    describe = None if describe_json is None else describe_from_json(_json_file(Path(describe_json)))
    doc, report = train(data, describe=describe, **options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    artifact.write(doc, out / "model.json")
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                     encoding="utf-8")
    (out / "report.html").write_text(report_page.render(report, doc), encoding="utf-8")
    return report


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from e
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError alike
        raise DataError(f"{path} is not UTF-8 JSON: {e}") from e


class ScoredFile(NamedTuple):
    rows: int
    encoding: str
    delimiter: str


def score_file(
    model_dir: str | Path, data_csv: str | Path, out_csv: str | Path, *, id_column: str | None = None,
    decide: Decide | None = None, encoding: str | None = None, delimiter: str | None = None,
) -> ScoredFile:
    """Score every row of ``data_csv`` with ``model_dir/model.json``; return the number of rows and
    how the file was read (by :func:`scoring.table.read`, the reader training uses: a row is the
    same row to both).

    Columns written: ``row`` (1-based), ``id_column`` if given, ``score``, ``pd``, ``decision``,
    ``limit``, ``rate`` (filled by ``decide(policy, pd, row)`` when the artifact holds a policy and
    a decider is given, else empty), ``reason_1`` … ``reason_4`` (codes), ``reason_text_1`` …
    ``reason_text_4`` (their plain-language texts: the bin the value fell in, :mod:`scoring.reasons`).
    """
    model = artifact.load(artifact.read(Path(model_dir) / "model.json"))
    source = table_.read(data_csv, encoding=encoding, delimiter=delimiter)
    if id_column is not None and id_column not in source.header:
        raise DataError(f"{data_csv}: no column {id_column!r} to identify rows ({source.how})")
    head = ["row", *([id_column] if id_column else []), "score", "pd", *DECISION_FIELDS,
            *(f"reason_{i}" for i in range(1, MAX_REASONS + 1)),
            *(f"reason_text_{i}" for i in range(1, MAX_REASONS + 1))]
    try:
        with Path(out_csv).open("w", newline="", encoding="utf-8") as dst:
            writer = csv.writer(dst)
            writer.writerow(head)
            for count, (cells, line) in enumerate(zip(source.rows, source.lines, strict=True), start=1):
                row = dict(zip(source.header, cells, strict=True))
                writer.writerow(_scored_row(model, count, line, row, id_column, decide))
    except OSError as e:
        raise DataError(f"cannot score {data_csv} into {out_csv}: {e.strerror or e}") from e
    return ScoredFile(len(source.rows), source.encoding, source.delimiter)


def _scored_row(model: artifact.Model, number: int, line: int, row: Mapping[str, str], id_column: str | None,
                decide: Decide | None) -> list[str]:
    try:
        scored = artifact.score(model, row)
    except ScoringInputError as e:
        raise ScoringInputError(f"row {number} (line {line}): {e}") from e
    decision: Mapping[str, str] = {}
    if decide is not None and model.policy is not None:
        decision = decide(model.policy, scored.pd, row)
    blank = [""] * (MAX_REASONS - len(scored.reasons))
    codes, texts = [code for code, _ in scored.reasons] + blank, [text for _, text in scored.reasons] + blank
    ident = [row.get(id_column, "")] if id_column else []
    return [str(number), *ident, f"{scored.score:.2f}", f"{scored.pd:.6f}",
            *(str(decision.get(k, "")) for k in DECISION_FIELDS), *codes, *texts]


def policy_decider(size_column: str = "size") -> Decide:
    """A ``decide`` for :func:`score_file` that applies the artifact's :class:`scoring.policy.Policy`
    to each row's PD and size class (column ``size_column``)."""
    from scoring.policy import Policy  # the policy is its own module; only this edge needs it

    parsed: dict[str, Policy] = {}

    def decide(policy: Mapping[str, Any], pd: float, row: Mapping[str, str]) -> Mapping[str, str]:
        text = json.dumps(policy, sort_keys=True)
        terms = parsed.get(text) or parsed.setdefault(text, Policy.from_json(text))
        d = terms.decide(pd, (row.get(size_column) or "").strip())
        return {"decision": "approve" if d.approve else "decline", "limit": str(d.limit), "rate": f"{d.rate:.6f}"}

    return decide
