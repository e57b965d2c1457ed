"""Training the credit model on 100,000 enterprises: scorecard, 5-fold CV, challenger, evaluation.

    python scripts/bench/scoring_train.py                  # the synthetic pilot, 100,000 enterprises
    python scripts/bench/scoring_train.py --rows 20000     # quicker
    python scripts/bench/scoring_train.py --synthetic      # scoring.dataset.synthetic instead of the pilot

The data is the synthetic pilot (``simulation.pilot.generate`` → ``simulation.training.build``:
one feature vector per enterprise at its observation date), the enterprises observed from
``--oot`` on held out as the out-of-time sample; without the pilot modules it falls back to
``scoring.dataset.synthetic``. Making the data is timed but not counted: the target is on what
``scoring`` does — train (5-fold CV of champion and challenger, final fits, calibration), evaluate,
write model.json / report.json / report.html — under 60 s on this 2-core machine. Scoring latency
(one vector, pure Python on the JSON artifact) is printed too. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scoring import artifact, report_page
from scoring.dataset import Dataset, synthetic
from scoring.trainer import train

TARGET_SECONDS = 60.0


def timed(label: str, work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:7.2f} s")
    return result, seconds


def pilot_data(rows: int, oot: str) -> tuple[Dataset, dict[str, str], np.ndarray | None, str] | None:
    from simulation import pilot, training

    world, _ = timed(f"generate the pilot ({rows:,} enterprises x 36 months)", lambda: pilot.generate(rows, 36, seed=7))
    table, _ = timed("build the training table (simulation.training.build)", lambda: training.build(world))
    return table.to_dataset(), table.descriptions, table.oot_mask(oot), f"synthetic pilot, OOT from {oot}"


def vectors(data: Dataset, count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        row: dict[str, Any] = {}
        for name, column in data.columns.items():
            value = column[i]
            row[name] = None if value is None or (isinstance(value, float) and value != value) else value
        out.append(row)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--oot", default="2024-10", help="pilot: enterprises observed from this month are OOT")
    parser.add_argument("--synthetic", action="store_true", help="use scoring.dataset.synthetic")
    args = parser.parse_args()
    print(f"credit model training, {args.rows:,} rows")
    made = None if args.synthetic else pilot_data(args.rows, args.oot)
    if made is None:
        data, _ = timed("generate scoring.dataset.synthetic", lambda: synthetic(args.rows, seed=7))
        made = (data, {}, None, "scoring.dataset.synthetic, evaluated in sample")
    data, descriptions, oot, source = made
    print(f"  data: {source}; {data.rows:,} rows, {len(data.columns)} columns, bad rate {data.target.mean():.2%}")
    (doc, report), train_s = timed("train (5-fold CV x2, final fits, calibration, evaluation)",
                                   lambda: train(data, seed=7, descriptions=descriptions, oot_mask=oot))
    with tempfile.TemporaryDirectory() as tmp:
        _, write_s = timed("write model.json, report.json, report.html", lambda: write(Path(tmp), doc, report))
    for step, seconds in report["timings"].items():
        print(f"    {step:<56} {seconds:7.2f} s")
    model = artifact.load(doc)
    sample = vectors(data, 2000)
    _, score_s = timed("score 2,000 vectors one by one (pure Python, JSON artifact)",
                       lambda: [artifact.score(model, v) for v in sample])
    summarise(report, doc, score_s / len(sample))
    total = train_s + write_s
    ok = total < TARGET_SECONDS
    print(f"train + evaluate + write: {total:.1f} s (target < {TARGET_SECONDS:.0f} s): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def write(out: Path, doc: dict[str, Any], report: dict[str, Any]) -> None:
    artifact.write(doc, out / "model.json")
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    (out / "report.html").write_text(report_page.render(report, doc), encoding="utf-8")


def summarise(report: dict[str, Any], doc: dict[str, Any], per_vector: float) -> None:
    ev = report["evaluation"]
    print(f"  model {report['model_id'][:16]}…, {len(doc['features'])} features on the card")
    print(f"  5-fold CV AUC: champion {report['cv_auc']:.4f}, challenger {report['challenger_cv_auc']:.4f}")
    print(f"  {ev['sample']} ({ev['rows']:,} rows): AUC {ev['auc']:.4f}, Gini {ev['gini']:.4f}, KS {ev['ks']:.4f}, "
          f"Brier {ev['brier']:.4f}, challenger AUC {ev['champion_vs_challenger']['challenger_auc']:.4f}"
          + (f", PSI {ev['psi']:.4f}" if ev["psi"] is not None else ""))
    print(f"  scoring one vector: {per_vector * 1e6:.0f} µs")


if __name__ == "__main__":
    sys.exit(main())
