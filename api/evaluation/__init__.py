"""The pilot's performance evaluation (绩效评价, seeds R10 and R11), read from the chain, the provenance log
and the database only (and the pilot's journal, ``api.pilot.journal``, for its months), never from the
driver's memory, so it can be made of any home, by anyone holding its data, at any time:

- ``periods``   the months as the evaluation reads them: which one a block or a log event belongs to
- ``readings``  the evaluation's edge: the chain's events and blocks, the log, the journal, the catalogue
- ``supply``    the catalogue's counts as they stood at a month's last log event (the assessment per month)
- ``latency``   decision latency, Applied → Decided, and its nearest-rank percentiles
- ``quality``   the model in service: AUC, KS, PSI by quarter of decision; each model's life
- ``activity``  data use by role, the chain's and the log's figures
- ``evaluation`` the performance evaluation (绩效评价): :func:`gather` reads, :func:`evaluate` folds
- ``document``  the evaluation as JSON (fen, exact ratios, decimal strings)
- ``plots``     line charts over periods as SVG geometry
- ``page``      the evaluation as one self-contained HTML page (``templates/evaluation.html``)
- ``report``    ``write``: FILE.html and FILE.json beside it, each whole or not at all
"""
