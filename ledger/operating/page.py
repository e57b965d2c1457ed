"""The operating ledger as one self-contained HTML page: the same tables as the terminal, inline CSS,
no script, nothing fetched. Every text is escaped (``html.escape``), labels and figures alike."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ledger.operating.figures import NPL_DAYS, Report
from ledger.operating.tables import Table, tables
from ledger.types import Address

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0 0 2em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
td { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child, th:first-child { text-align: left; }
tr.totals td { font-weight: bold; }
caption { text-align: left; font-weight: bold; padding: 0.4em 0; }
"""


def page(report: Report, name: Callable[[Address], str] = str) -> str:
    s = report.source
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Operating ledger (台账)</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Operating ledger (台账)</h1>",
        f"<p>From the events of {escape(s.contract)} on chain {s.chain_id}, blocks {s.from_block} to "
        f"{s.to_block}. Money in yuan. Non-performing: DEFAULTED or COMPENSATED, or OVERDUE more than "
        f"{NPL_DAYS} days.</p>",
        *(_table(t) for t in tables(report, name)),
        "</body></html>",
        "",
    ])


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in t.headings)
    last = len(t.rows) - 1 if t.totals else -1
    rows = "".join(('<tr class="totals">' if i == last else "<tr>") + "".join(f"<td>{escape(c)}</td>" for c in row)
                   + "</tr>\n" for i, row in enumerate(t.rows))
    return f"<table><caption>{escape(t.title)}</caption>\n<tr>{head}</tr>\n{rows}</table>"
