"""Scoring: the commercial-value credit model (seeds R1, R6, R11), reproducible and explainable.

- ``features``       pure feature extraction from departmental records as of a period
- ``vector``         a feature's spec and a feature vector as a record: RFC 8785 bytes, SHA-256
- ``table``          a CSV file as text cells: encoding and delimiter detected, one reader for train and score
- ``dataset``        a generic tabular dataset (any CSV with a binary target: numbers, missing markers, targets)
- ``screening``      which columns may be candidates: exclusions, protected names, identifiers, leaks
- ``binning``        monotone WoE binning, missing and rare values binned explicitly
- ``scorecard``      the champion: logistic regression on WoE, points scaled by PDO
- ``calibration``    Platt-calibrated PD from out-of-fold scores
- ``challenger``     gradient boosting with the same monotone constraints (metrics only)
- ``reasons``        up to four reason codes against the population's average points, with plain-language texts
- ``policy``         versioned product policy: PD and size → approve, limit, rate
- ``artifact``       the model as canonical JSON (never a pickle); its SHA-256 is the model id
- ``evaluation``, ``report_page``  AUC, KS, Gini, Brier, PSI/CSI, bands; an HTML page with SVG plots
- ``trainer``        train: cross-validation, champion, challenger, calibration, evaluation
- ``files``          train_files / score_file: the file-level edges ``credtrace model`` runs

Errors (``scoring.errors``)::

    ScoringError
    ├── DataError            a dataset or CSV that cannot be used as given
    ├── TrainingError        training could not produce a model
    ├── ArtifactError        a model artifact that is malformed
    ├── ScoringInputError    a vector that does not fit the model
    ├── FeatureError         records that cannot be turned into features, bytes into a vector
    └── PolicyError          an inconsistent policy (policy.py)
"""
