"""A feature vector as a record: each feature's spec, the named values, their canonical bytes.

A vector's numbers are rounded to 6 significant digits when it is made, so it is
exactly what its RFC 8785 bytes (:func:`canonical`) say, and what a model scores; a decision record
names the snapshot it was made on by their SHA-256 (:func:`vector_hash`). The features themselves,
and how records become vectors, are in :mod:`scoring.features`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import rfc8785

from scoring.dataset import Kind
from scoring.errors import FeatureError

FeatureValue = float | str | None
Direction = Literal[-1, 0, 1]
SIGNIFICANT_DIGITS = 6


@dataclass(frozen=True)
class FeatureSpec:
    """A feature: ``monotone`` +1 = a higher value means LOWER risk, -1 = HIGHER risk, 0 = no order.

    ``description`` is the plain-language reason given when the feature lowers a score.
    """

    name: str
    kind: Kind
    monotone: Direction
    description: str
    definition: str = ""


@dataclass(frozen=True)
class FeatureVector(Mapping[str, FeatureValue]):
    """Named feature values, in order; numbers are stored rounded to 6 significant digits, so a
    vector is exactly what its canonical bytes say (and what a model scores)."""

    names: tuple[str, ...]
    data: tuple[FeatureValue, ...]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.data) or len(set(self.names)) != len(self.names):
            raise FeatureError("a feature vector needs exactly one value for each of its distinct names")
        object.__setattr__(self, "data", tuple(_cell(n, v) for n, v in zip(self.names, self.data, strict=True)))

    @classmethod
    def of(cls, values: Mapping[str, FeatureValue]) -> FeatureVector:
        return cls(tuple(values), tuple(values.values()))

    def __getitem__(self, name: str) -> FeatureValue:
        try:
            return self.data[self.names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _cell(name: str, value: object) -> FeatureValue:
    if value is None or isinstance(value, str):
        return value
    try:
        number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    except OverflowError:
        number = math.nan
    if not math.isfinite(number):
        raise FeatureError(f"feature {name!r}: expected a finite number, a string or None, got {value!r}")
    return float(f"{number:.6g}") + 0.0  # + 0.0: -0.0 becomes 0.0


def canonical(vector: FeatureVector) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of the vector as one object, name → value."""
    return rfc8785.dumps(dict(zip(vector.names, vector.data, strict=True)))


def vector_hash(vector: FeatureVector) -> str:
    """SHA-256 (hex) of :func:`canonical`: what a decision record names the snapshot by."""
    return hashlib.sha256(canonical(vector)).hexdigest()


def from_canonical(data: bytes, spec: Sequence[FeatureSpec]) -> FeatureVector:
    """The vector whose canonical bytes are ``data``, its values in ``spec`` order and of its kinds."""
    try:
        values = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FeatureError(f"not a canonical feature vector: {e}") from e
    if not isinstance(values, dict) or set(values) != {s.name for s in spec}:
        raise FeatureError("a canonical feature vector is an object with exactly the spec's feature names")
    for s in spec:
        value = values[s.name]
        if value is not None and isinstance(value, str) != (s.kind == "categorical"):
            raise FeatureError(f"feature {s.name!r} is {s.kind}, got {value!r}")
    return FeatureVector(tuple(s.name for s in spec), tuple(values[s.name] for s in spec))
