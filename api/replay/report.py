"""What a replay found: counts and mismatches, as a summary line, the ``--json`` document and an HTML page.

The JSON is exactly ``{"ok", "blocks", "events", "decisions", "mismatches": [{"step", "where", "what"}]}``
(issue 16), so a regulator's tooling can diff two runs. The HTML is one self-contained file (inline style,
no scripts, every text escaped) to hand over as it is.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

STEPS = ("chain", "state", "decisions", "log")
"""The four steps, in order; each mismatch names one."""


@dataclass(frozen=True)
class Mismatch:
    step: str
    where: str
    """What it is about: a block, an event, an application, a table and row."""
    what: str

    def as_json(self) -> dict[str, str]:
        return {"step": self.step, "where": self.where, "what": self.what}


@dataclass
class Report:
    blocks: int = 0
    events: int = 0
    """Chain events of the deployed contracts plus provenance log events."""
    decisions: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def found(self, step: str, where: str, what: str) -> None:
        self.mismatches.append(Mismatch(step, where, what))

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "blocks": self.blocks, "events": self.events, "decisions": self.decisions,
                "mismatches": [m.as_json() for m in self.mismatches]}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Report:
        """The report :meth:`as_json` wrote (a server's replay job's result)."""
        return cls(int(doc["blocks"]), int(doc["events"]), int(doc["decisions"]),
                   [Mismatch(str(m["step"]), str(m["where"]), str(m["what"])) for m in doc["mismatches"]])

    def summary(self) -> str:
        counts = f"{self.blocks} blocks, {self.events} events, {self.decisions} decisions"
        if self.ok:
            return f"ok: replayed {counts} from genesis; everything matches"
        return f"{len(self.mismatches)} mismatch(es) in {counts}"


def dumps(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2)


def page(report: Report, title: str) -> str:
    """The report as one self-contained HTML document."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(m.step)}</td><td>{e(m.where)}</td><td>{e(m.what)}</td></tr>"
                   for m in report.mismatches)
    table = (f"<table><tr><th>step</th><th>where</th><th>what</th></tr>{rows}</table>" if rows
             else "<p>No mismatch: the chain, the platform's tables, every decision and the log agree.</p>")
    verdict = "PASS" if report.ok else "FAIL"
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}"
            ".PASS{color:#070}.FAIL{color:#b00}</style></head><body>"
            f"<h1>{e(title)}: <span class=\"{verdict}\">{verdict}</span></h1>"
            f"<p>{e(report.summary())}</p>{table}</body></html>\n")
