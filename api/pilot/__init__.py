"""The pilot run (issue 18, seeds: 试点 and its 绩效评价): a synthetic world driven month by month through
the platform's real interfaces (gate, oracle, contracts, log), and its performance evaluation.

- ``journal``   the run's parameters and each month's finished stages, in the database: resume and the
                month each block or log event belongs to
"""
