"""The pilot run (issue 18, seeds: 试点 and its 绩效评价): a synthetic world driven month by month through
the platform's real interfaces (gate, oracle, contracts, log). Its performance evaluation is
``api.evaluation``, which reads the chain, the log and this package's journal, never the driver.

- ``journal``   the run's parameters and each month's finished stages, in the database: resume and the
                month each block or log event belongs to
- ``calendar``  the pilot's months as the chain's own calendar: its clock moved to each month's 1st
- ``plan``      what happens in each month, from the world and the seed (pure)
- ``schedule``  a loan's acts over its life, each with the state it leaves (pure)
- ``cast``      the participants: the platform's keys, the banks, the enterprises' derived keys
- ``setup``     participants registered, the policy and the pools, before the first month
- ``models``    the credit models: trained, approved, monitored by PSI each quarter, retrained on drift
- ``pipe``      many transactions sent, then their receipts collected
- ``stages``    one month's plan carried out, stage by stage, each idempotent
- ``summary``   what the run did, counted from the chain and the log; each stage's time
- ``run``       the driver: setup, the months, sealing, the replay
"""
