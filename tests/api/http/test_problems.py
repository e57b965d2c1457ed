"""The error catalogue is an interface: the README's table lists every problem type with its status."""

from __future__ import annotations

from pathlib import Path

from api.http.problems import BY_ERROR, CATALOGUE

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_lists_every_problem_type_with_its_status() -> None:
    text = README.read_text()
    missing = [k.slug for k in CATALOGUE if f"| `/problems/{k.slug}` | {k.status} |" not in text]
    assert missing == []


def test_every_mapped_error_class_has_a_catalogued_type() -> None:
    assert {kind for _, kind in BY_ERROR} <= set(CATALOGUE)
    assert len({k.slug for k in CATALOGUE}) == len(CATALOGUE)
