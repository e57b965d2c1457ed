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

:mod:`scoring.files` holds the file-level edges the ``credtrace model`` command uses (train_files, score_file).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import numpy as np
import sklearn  # type: ignore[import-untyped]
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from scoring import artifact, calibration, challenger, evaluation, scorecard, screening
from scoring.binning import BinningRules
from scoring.challenger import ChallengerRules
from scoring.dataset import Dataset
from scoring.errors import DataError, TrainingError
from scoring.reasons import Description
from scoring.scorecard import DEFAULT_SCALING, Champion, Scaling, SelectionRules
from scoring.screening import Screened, ScreenRules

Folds = list[tuple[NDArray[np.int64], NDArray[np.int64]]]
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
