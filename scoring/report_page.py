"""The readable training report: one self-contained HTML page, charts as inline SVG (no scripts, no fetches).

:func:`render` takes the report of :func:`scoring.trainer.train` (and optionally the artifact, for the
scorecard table) and draws the ROC curve, the calibration plot and the score histogram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

W, H, PAD = 320, 240, 36
CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:.6em 0 1.4em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}figure{display:inline-block;margin:0 1em 1em 0}
figcaption{font-size:12px;color:#555}svg{background:#fff;border:1px solid #ddd}"""


def _x(v: float, lo: float, hi: float) -> float:
    return PAD + (v - lo) / ((hi - lo) or 1.0) * (W - 2 * PAD)


def _y(v: float, lo: float, hi: float) -> float:
    return H - PAD - (v - lo) / ((hi - lo) or 1.0) * (H - 2 * PAD)


def _frame(body: str, xlabel: str, ylabel: str, xr: tuple[float, float], yr: tuple[float, float]) -> str:
    axes = (f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#444"/>'
            f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>')
    ticks = (f'<text x="{PAD}" y="{H - PAD + 14}" font-size="10">{xr[0]:.3g}</text>'
             f'<text x="{W - PAD}" y="{H - PAD + 14}" font-size="10" text-anchor="end">{xr[1]:.3g}</text>'
             f'<text x="{PAD - 4}" y="{H - PAD}" font-size="10" text-anchor="end">{yr[0]:.3g}</text>'
             f'<text x="{PAD - 4}" y="{PAD + 8}" font-size="10" text-anchor="end">{yr[1]:.3g}</text>')
    labels = (f'<text x="{W / 2}" y="{H - 6}" font-size="11" text-anchor="middle">{escape(xlabel)}</text>'
              f'<text x="12" y="{H / 2}" font-size="11" text-anchor="middle" '
              f'transform="rotate(-90 12 {H / 2})">{escape(ylabel)}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">' \
           f"{axes}{ticks}{labels}{body}</svg>"


def _polyline(xs: Sequence[float], ys: Sequence[float], xr: tuple[float, float], yr: tuple[float, float],
              colour: str, dash: str = "") -> str:
    pts = " ".join(f"{_x(a, *xr):.1f},{_y(b, *yr):.1f}" for a, b in zip(xs, ys, strict=True))
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.6"{extra}/>'


def roc_svg(roc: Mapping[str, Sequence[float]]) -> str:
    unit = (0.0, 1.0)
    diagonal = _polyline([0, 1], [0, 1], unit, unit, "#aaa", "4 3")
    body = diagonal + _polyline(roc["fpr"], roc["tpr"], unit, unit, "#1f5fa8")
    return _frame(body, "false positive rate (goods declined)", "true positive rate (bads caught)", unit, unit)


def calibration_svg(rows: Sequence[Mapping[str, float]]) -> str:
    top = max([0.01, *(r["predicted"] for r in rows), *(r["observed"] for r in rows)]) * 1.05
    r = (0.0, top)
    dots = "".join(f'<circle cx="{_x(p["predicted"], *r):.1f}" cy="{_y(p["observed"], *r):.1f}" r="3" fill="#c0392b"/>'
                   for p in rows)
    return _frame(_polyline([0, top], [0, top], r, r, "#aaa", "4 3") + dots, "predicted PD", "observed bad rate", r, r)


def histogram_svg(hist: Mapping[str, Sequence[float]]) -> str:
    edges, goods, bads = hist["edges"], hist["goods"], hist["bads"]
    xr, yr = (edges[0], edges[-1]), (0.0, float(max([1, *(g + b for g, b in zip(goods, bads, strict=True))])))
    bars = []
    for lo, hi, g, b in zip(edges, edges[1:], goods, bads, strict=False):
        x0, x1 = _x(lo, *xr), _x(hi, *xr)
        bars.append(f'<rect x="{x0:.1f}" y="{_y(g + b, *yr):.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
                    f'height="{_y(b, *yr) - _y(g + b, *yr):.1f}" fill="#7fb3d5"/>')
        bars.append(f'<rect x="{x0:.1f}" y="{_y(b, *yr):.1f}" width="{max(x1 - x0 - 1, 1):.1f}" '
                    f'height="{_y(0, *yr) - _y(b, *yr):.1f}" fill="#c0392b"/>')
    return _frame("".join(bars), "score (goods blue, bads red)", "rows", xr, yr)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]], left: int = 1) -> str:
    def cell(tag: str, i: int, v: Any) -> str:
        text = "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
        return f'<{tag}{" class=l" if i < left else ""}>{escape(text)}</{tag}>'

    th = "".join(cell("th", i, h) for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _scorecard(doc: Mapping[str, Any] | None) -> str:
    if not doc:
        return ""
    rows = [(f["name"], f.get("reason_code", ""), b["label"], b["goods"], b["bads"], b["woe"], b["points"])
            for f in doc["features"] for b in f["bins"]]
    return "<h2>Scorecard</h2>" + _table(["feature", "code", "bin", "goods", "bads", "WoE", "points"], rows, left=3)


def render(report: Mapping[str, Any], doc: Mapping[str, Any] | None = None) -> str:
    """The report as one HTML page."""
    ev = report["evaluation"]
    vs = ev["champion_vs_challenger"]
    summary = [
        ("model id", report["model_id"]), ("sample evaluated", ev["sample"]),
        ("rows / bads", f"{ev['rows']} / {ev['bads']}"), ("cross-validated AUC, champion", report["cv_auc"]),
        ("cross-validated AUC, challenger", report["challenger_cv_auc"]),
        ("AUC / Gini / KS", f"{ev['auc']:.4f} / {ev['gini']:.4f} / {ev['ks']:.4f}"), ("Brier", ev["brier"]),
        ("challenger AUC (same sample)", vs["challenger_auc"]), ("PSI (score)", ev["psi"]),
    ]
    features = [(c["name"], c["kind"], c["iv"], c.get("auc"), c["outcome"]) for c in report.get("features", [])]
    warnings = "".join(f"<li>{escape(w)}</li>" for w in [*report.get("warnings", []),
                                                          *report.get("challenger_notes", [])])
    band_rows = [(b["low"], b["high"], b["rows"], b["bads"], b["bad_rate"], b["approval_rate"], b["approved_bad_rate"])
                 for b in ev["bands"]]
    csi = [(k, v) for k, v in sorted(ev["csi"].items())]
    return "".join([
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>credtrace model {escape(str(report['model_id'])[:12])}</title><style>{CSS}</style></head>",
        "<body><h1>Credit model report</h1>",
        _table(["", ""], summary, left=2),
        f"<figure>{roc_svg(ev['roc'])}<figcaption>ROC curve (champion)</figcaption></figure>",
        f"<figure>{calibration_svg(ev['calibration'])}<figcaption>Calibration by PD decile</figcaption></figure>",
        f"<figure>{histogram_svg(ev['histogram'])}<figcaption>Score distribution</figcaption></figure>",
        "<h2>Score bands</h2>",
        _table(["low", "high", "rows", "bads", "bad rate", "approval rate at low", "approved bad rate"], band_rows, 0),
        f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
        "<h2>Candidate features</h2>", _table(["feature", "kind", "IV", "AUC alone", "outcome"], features, left=2),
        ("<h2>Characteristic stability (CSI)</h2>" + _table(["feature", "CSI"], csi)) if csi else "",
        _scorecard(doc), "</body></html>\n",
    ])
