"""The scoring package's errors, one tree::

    ScoringError
    ├── DataError          a CSV or a Dataset is unusable (bad target values, ragged columns …)
    ├── TrainingError      training cannot go on (one class only, no informative feature …)
    ├── ArtifactError      a model artifact is malformed, of an unknown format, or not JSON-safe
    ├── ScoringInputError  a feature vector cannot be scored (missing key, wrong type)
    └── FeatureError       records cannot be turned into features, or bytes into a feature vector
"""

from __future__ import annotations


class ScoringError(Exception):
    """Base of every error the scoring package raises."""


class DataError(ScoringError):
    """A CSV file or a :class:`~scoring.dataset.Dataset` is unusable; the message says why."""


class TrainingError(ScoringError):
    """Training cannot go on with this data or these settings; the message says why."""


class ArtifactError(ScoringError):
    """A model artifact is malformed or of an unknown format."""


class ScoringInputError(ScoringError):
    """A feature vector cannot be scored with this artifact (missing feature, wrong type)."""


class FeatureError(ScoringError, ValueError):
    """Records cannot be turned into features (mixed enterprises, a malformed period, a duplicate month)."""
