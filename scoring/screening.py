"""Which columns may become candidates for the scorecard, decided before any model is fitted.

A column is left out, with the reason in the report, when it is

1. excluded by the caller (``--exclude``), or declared protected (``--protected``);
2. named like a protected characteristic (:data:`PROTECTED_WORDS`, :data:`PROTECTED_CHINESE`:
   sex, gender, race, ethnicity, nationality, citizenship, marital status, religion, age, birth
   date, foreign, pregnancy, disability; 性别, 民族, 种族, 国籍, 籍贯, 户籍, 婚姻, 宗教, 年龄, 出生),
   unless the caller allows them (``--allow-protected``). Fair-lending law forbids scoring on these
   (US ECOA / Regulation B 12 CFR 1002.6(b); EU AI Act annex III 5(b) for credit scoring; China's
   Personal Information Protection Law art. 28 on sensitive data), and a proxy is as bad, so
   matching is by name: a column whose name says it is one is out unless someone decides otherwise;
3. without information: all missing, or a single value;
4. identifier-like: nearly every row has its own value (a customer number, a free-text name), or
   whole numbers that are all distinct and in sequence (a sequential id tracks the vintage, not the
   borrower).

Leakage: every remaining column is binned alone (:mod:`scoring.binning`) and its WoE's AUC
against the target computed; a column at or above ``max_auc`` (0.99) almost certainly restates
the outcome (a status written after default, a recovery amount), so training is refused unless
the caller allows it (``--allow-leak``), in which case it is kept and flagged.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring import binning as binning_
from scoring import evaluation
from scoring.binning import BinningRules
from scoring.dataset import Dataset
from scoring.errors import TrainingError

PROTECTED_WORDS = (
    "sex", "gender", "race", "ethnic", "ethnicity", "nationality", "citizenship", "marital", "married",
    "religion", "religious", "age", "birth", "dob", "foreign", "pregnant", "pregnancy", "disability", "disabled",
)
PROTECTED_CHINESE = ("性别", "民族", "种族", "国籍", "籍贯", "户籍", "婚姻", "宗教", "年龄", "出生")
NEAR_UNIQUE = 0.95  # share of distinct values among a column's present values that makes it an identifier
MIN_ROWS_FOR_IDENTIFIER = 20
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


@dataclass(frozen=True)
class ScreenRules:
    exclude: frozenset[str] = frozenset()
    protected: frozenset[str] = frozenset()
    allow_protected: bool = False  # keep columns whose names match the default protected list
    allow_leak: bool = False
    max_auc: float = 0.99


@dataclass(frozen=True)
class Screened:
    kept: tuple[str, ...]
    dropped: dict[str, str]  # column → why it is not a candidate
    iv: dict[str, float] = field(default_factory=dict)  # of every column binned alone
    auc: dict[str, float] = field(default_factory=dict)  # single-feature AUC of its WoE
    warnings: list[str] = field(default_factory=list)


def protected_word(name: str) -> str | None:
    """The default-list word ``name`` matches, if any: a Chinese term anywhere in it, an English
    word as a whole word of it (``personal_status_sex``, ``Age``, ``foreignWorker``; not ``agent``),
    longer words also as a prefix (``ethnicity_code``, ``birthdate``)."""
    for term in PROTECTED_CHINESE:
        if term in name:
            return term
    words = [w.lower() for w in _WORD.findall(name)]
    for term in PROTECTED_WORDS:
        if any(w == term or (len(term) >= 5 and w.startswith(term)) for w in words):
            return term
    return None


def screen(data: Dataset, rules: ScreenRules, binning: BinningRules) -> Screened:
    """Decide the candidates among ``data``'s columns (see the module docstring). A name given to
    exclude or protect that is not a feature column is an error: a typo must not let one through."""
    unknown = sorted((rules.exclude | rules.protected) - set(data.names))
    if unknown:
        raise TrainingError(f"no feature column {', '.join(map(repr, unknown))} to exclude or protect "
                            f"(columns: {', '.join(data.names)})")
    out = Screened((), {})
    kept: list[str] = []
    for name in data.names:
        why = _by_name(name, rules, out.warnings) or _by_values(data.columns[name], data.kinds[name])
        if why is None:
            why = _by_signal(name, data, binning, rules, out)
        if why is None:
            kept.append(name)
        else:
            out.dropped[name] = why
    _refuse_leaks(out, rules)
    return Screened(tuple(kept), out.dropped, out.iv, out.auc, out.warnings)


def _by_name(name: str, rules: ScreenRules, warnings: list[str]) -> str | None:
    if name in rules.exclude:
        return "excluded (--exclude)"
    if name in rules.protected:
        return "protected (--protected)"
    word = protected_word(name)
    if word is None:
        return None
    if rules.allow_protected:
        warnings.append(f"column {name!r} is named like a protected characteristic ({word!r}) and was "
                        "kept as a candidate (--allow-protected)")
        return None
    return f"protected: its name matches {word!r} (default list; --allow-protected to use it)"


def _by_values(column: NDArray[Any], kind: str) -> str | None:
    present = column[~np.isnan(column)] if kind == "numeric" else np.array(
        [v for v in column.tolist() if v is not None], dtype=object)
    distinct = len(set(present.tolist()))
    if distinct == 0:
        return "no values (all missing)"
    if distinct == 1:
        return "a single value"
    if len(present) < MIN_ROWS_FOR_IDENTIFIER or distinct < NEAR_UNIQUE * len(present):
        return None
    if kind != "numeric":
        return f"identifier-like: {distinct} distinct values in {len(present)} rows"
    return _sequence(present.astype(np.float64), distinct)


def _sequence(x: NDArray[np.float64], distinct: int) -> str | None:
    whole = bool(np.all(x == np.round(x)))
    steps = np.diff(x)
    ordered = bool(np.all(steps > 0) or np.all(steps < 0))
    dense = float(x.max() - x.min()) < 3 * distinct
    if whole and (ordered or dense):
        return f"identifier-like: {distinct} distinct whole numbers in {len(x)} rows, in sequence"
    return None


def _by_signal(name: str, data: Dataset, binning: BinningRules, rules: ScreenRules, out: Screened) -> str | None:
    fitted = binning_.fit(name, data.kinds[name], data.columns[name], data.target, data.direction(name), binning)
    woe = np.array([b.woe for b in fitted.bins])[binning_.indices(fitted, data.columns[name])]
    out.iv[name] = fitted.iv
    out.auc[name] = round(evaluation.auc(data.target, -woe), 6)
    if out.auc[name] >= rules.max_auc and rules.allow_leak:
        out.warnings.append(f"column {name!r} predicts the target almost perfectly on its own "
                            f"(AUC {out.auc[name]:.4f}): kept as a candidate (--allow-leak)")
    return None


def _refuse_leaks(out: Screened, rules: ScreenRules) -> None:
    leaks = sorted(n for n, a in out.auc.items() if a >= rules.max_auc and n not in out.dropped)
    if leaks and not rules.allow_leak:
        shown = ", ".join(f"{n!r} (AUC {out.auc[n]:.4f})" for n in leaks)
        raise TrainingError(
            f"{shown} predict the target almost perfectly on their own (single-feature AUC ≥ {rules.max_auc}): "
            "a leak of the outcome? leave them out (--exclude COL), or pass --allow-leak to keep them"
        )


def names(values: Collection[str]) -> frozenset[str]:
    """Column names from a command line's repeated option, stripped."""
    return frozenset(v.strip() for v in values)
