"""The operating ledger as JSON: money in integer fen, ratios exact, names in camelCase like the
contract's event arguments (``applicationId``, ``municipalPaid``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ledger.operating.figures import Book, Pipeline, PoolFigures, Report
from ledger.types import camel


def to_json(report: Report) -> dict[str, Any]:
    s = report.source
    return {
        "source": {"chainId": s.chain_id, "contract": s.contract, "fromBlock": s.from_block, "toBlock": s.to_block},
        "banks": [{"bank": row.bank, **pipeline(row.pipeline), **book(row.book)} for row in report.banks],
        "districts": [{"district": row.district, **book(row.book)} for row in report.districts],
        "pools": [pool(p) for p in report.pools],
        "policies": [{"version": version, **_camel(asdict(p))} for version, p in report.policies],
        "totals": {**pipeline(report.pipeline), **book(report.book)},
    }


def pipeline(p: Pipeline) -> dict[str, Any]:
    return _camel(asdict(p))


def book(b: Book) -> dict[str, Any]:
    """Every figure of ``b``, with the NPL ratio as a fraction in lowest terms and in basis points
    (rounded half up); both null while nothing is outstanding."""
    return {**_camel(asdict(b)), "nplRatio": b.npl_ratio.fraction(), "nplRatioBps": b.npl_ratio.bps()}


def pool(p: PoolFigures) -> dict[str, Any]:
    return {**_camel(asdict(p)), "paid": p.paid, "balance": p.balance}


def _camel(d: dict[str, Any]) -> dict[str, Any]:
    return {camel(k): v for k, v in d.items()}
