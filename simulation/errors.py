"""The simulation's one error; the package docstring draws it."""

from __future__ import annotations


class PilotError(Exception):
    """The synthetic pilot was asked for something it cannot make (e.g. zero enterprises)."""
