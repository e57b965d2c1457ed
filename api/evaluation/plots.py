"""Line charts over the pilot's periods as server-side SVG geometry (pure), drawn by the ``lines`` macro
of ``templates/evaluation.html``. The portal draws bars (``api.http.portal.charts``, reused for the
evaluation's bar charts); a figure over months needs lines, which it has not. Each point keeps its value
and the text shown for it (``data-value``, a ``<title>``), so a test or a reader can check what is drawn.
A missing value (None: no ratio while nothing is outstanding, no AUC without both outcomes) breaks the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 12, 40
PALETTE = ("#2f6fad", "#e08a2c", "#3c9a5f", "#b9484e", "#7b5ea7", "#8c6d31", "#d1609e", "#5b6b7c", "#17a2b8",
           "#9aa62a")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    shown: str


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    points: tuple[Point, ...]
    path: str
    """SVG path data through the points, broken where a value is missing."""


@dataclass(frozen=True)
class Plot:
    key: str
    title: str
    lines: tuple[Line, ...]
    ticks: tuple[tuple[float, str], ...]
    """x position and the period's label."""
    grid: tuple[tuple[float, str], ...]
    """y position and the value's text, at 0, half and the top."""
    width: int = WIDTH
    height: int = HEIGHT


Series = tuple[str, Sequence[float | None], Sequence[str]]
"""A line's name, its value per period (None: none), and the text shown for each."""


def lines(key: str, title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "",
          floor: float = 0.0) -> Plot:
    """One line per series over ``labels``, the y axis from 0 to the largest value (or ``floor``)."""
    top = max([floor, *(v for _, values, _ in series for v in values if v is not None)]) or 1.0
    span_x = (WIDTH - LEFT - RIGHT) / max(len(labels) - 1, 1)
    span_y = HEIGHT - TOP - BOTTOM

    def at(i: int, value: float) -> tuple[float, float]:
        x = LEFT + (i * span_x if len(labels) > 1 else (WIDTH - LEFT - RIGHT) / 2)
        return round(x, 1), round(TOP + span_y * (1 - value / top), 1)

    drawn = []
    for n, (name, values, shown) in enumerate(series):
        points = [(i, Point(*at(i, v), v, shown[i])) for i, v in enumerate(values) if v is not None]
        path = " ".join(("L" if i > 0 and values[i - 1] is not None else "M") + f"{p.x},{p.y}" for i, p in points)
        drawn.append(Line(name, PALETTE[n % len(PALETTE)], tuple(p for _, p in points), path))
    ticks = tuple((at(i, 0)[0], label) for i, label in enumerate(labels))
    grid = tuple((at(0, v)[1], f"{v:,.4g}{unit}") for v in (0.0, top / 2, top))
    return Plot(key, title, tuple(drawn), ticks, grid)
