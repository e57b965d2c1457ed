"""The pilot run (issue 18, seeds: 试点 and its 绩效评价): a synthetic world driven month by month through
the platform's real interfaces (gate, oracle, contracts, log), and its performance evaluation.

- ``journal``   the run's parameters and each month's finished stages, in the database: resume and the
                month each block or log event belongs to
- ``plan``      what happens in each month, from the world and the seed (pure)
- ``schedule``  a loan's acts over its life, each with the state it leaves (pure)
- ``cast``      the participants: the platform's keys, the banks, the enterprises' derived keys
- ``setup``     participants registered, the policy and the pools, before the first month
- ``models``    the credit models: trained, approved, monitored by PSI each quarter, retrained on drift
- ``pipe``      many transactions sent, then their receipts collected
- ``stages``    one month's plan carried out, stage by stage, each idempotent
- ``summary``   what the run did, counted from the chain and the log; each stage's time
- ``run``       the driver: setup, the months, sealing, the replay
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
