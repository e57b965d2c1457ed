"""Write a synthetic pilot as CSV files: one per category, plus enterprises and outcomes.

    python scripts/generate_pilot.py --enterprises 10000 --months 36 --seed 7 --out pilot/

``DIR/<category>.csv`` has the schema's fields as header, in order (``registration`` and
``administrative_penalties`` come from market supervision); ``DIR/enterprises.csv`` the
generated enterprises, ``DIR/outcomes.csv`` who defaulted, ``DIR/arrivals.csv`` when each
category's period was delivered. The enterprises and outcomes files hold what departments never
send (the answer key): keep them away from anything that scores.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.catalogue.schema import SCHEMAS
from simulation import pilot

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    made = pilot.generate(args.enterprises, args.months, args.seed, args.start)
    generated = time.perf_counter() - started
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for category, rows in made.records.items():
        _write(out / f"{category}.csv", SCHEMAS[category].field_names, rows)
        print(f"{category:>26}: {len(rows):>9,} rows")
    _write_dataclasses(out / "enterprises.csv", made.enterprises)
    _write_dataclasses(out / "outcomes.csv", made.outcomes)
    arrivals = [{"category": c, **dataclasses.asdict(d)} for c, ds in made.arrivals.items() for d in ds]
    _write(out / "arrivals.csv", ("category", "period", "delivered", "lag_days"), arrivals)
    defaulted = sum(o.defaulted for o in made.outcomes)
    print(f"{'enterprises':>26}: {len(made.enterprises):>9,} ({defaulted:,} defaulted, "
          f"{defaulted / len(made.outcomes):.1%})")
    print(f"generated in {generated:.2f} s, written in {time.perf_counter() - started - generated:.2f} s to {out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2023-01", help="first period, YYYY-MM")
    parser.add_argument("--out", type=Path, required=True, help="directory for the CSV files")
    return parser


def _write(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)


def _write_dataclasses(path: Path, items: Sequence[DataclassInstance]) -> None:
    header = [f.name for f in dataclasses.fields(items[0])] if items else []
    _write(path, header, (dataclasses.asdict(item) for item in items))


if __name__ == "__main__":
    raise SystemExit(main())
