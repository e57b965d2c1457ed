"""Charts as server-side SVG: a horizontal bar chart's geometry computed here (pure), drawn by the
``chart`` macro in ``templates/macros.html`` with autoescaped labels. No JavaScript, nothing to build,
and the browser tests can read each bar's value from its ``data-value``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL = 170
"""Room for the labels on the left."""
ROW = 26
BAR = 16
VALUE = 110
"""Room for the value printed after the longest bar."""
PALETTE = ("#2f6fad", "#e08a2c", "#3c9a5f", "#b9484e")


@dataclass(frozen=True)
class Bar:
    label: str
    series: int
    value: float
    shown: str
    x: int
    y: int
    width: int
    height: int

    @property
    def colour(self) -> str:
        return PALETTE[self.series % len(PALETTE)]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    legend: tuple[str, ...]
    bars: tuple[Bar, ...]
    width: int
    height: int


Row = tuple[str, Sequence[tuple[float, str]]]
"""A label and its values, one per series, each with the text shown beside its bar."""


def bars(key: str, title: str, rows: Sequence[Row], legend: Sequence[str] = ()) -> Chart:
    """A bar per (row, series), lengths proportional to the largest value (all zero: no length)."""
    largest = max((v for _, values in rows for v, _ in values), default=0.0)
    span = WIDTH - LABEL - VALUE
    drawn: list[Bar] = []
    y = 4
    for label, values in rows:
        for series, (value, shown) in enumerate(values):
            length = round(span * value / largest) if largest > 0 else 0
            drawn.append(Bar(label, series, value, shown, LABEL, y, max(length, 0), BAR))
            y += BAR + 2
        y += ROW - BAR
    return Chart(key, title, tuple(legend), tuple(drawn), WIDTH, y + 4)
