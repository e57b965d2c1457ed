"""``credtrace replay``: a regulator re-derives everything from genesis and lists what does not match
(issue 16; seeds R2 tracking and monitoring, R10). Four steps, a module each, every one reading the chain
and the log rather than trusting what the platform's database says of them:

1. :mod:`api.replay.chain`     the chain itself: on the embedded devnet every block re-executed from genesis
                               (``devnet.resync``); on another node every event of the deployed contracts
                               read (:mod:`api.replay.history`) and their code checked against the artifacts;
2. :mod:`api.replay.state`     the state the platform derives, rebuilt from chain events and the log alone,
                               compared with the contracts' views and with the database tables that mirror
                               the chain or the log (decision records, cases, feature vectors, reason texts);
3. :mod:`api.replay.decisions` every decision re-run: model by id, vector by hash, re-scored under the policy,
                               the record's payload rebuilt and its SHA-256 compared with the chain's; the
                               record's own claims checked as ``decision verify`` checks them
                               (:func:`oracle.verify.checks`, reused, not restated);
4. :mod:`api.replay.log`       the whole log verification ``credtrace log verify`` runs.

A difference is never raised: each is a :class:`~api.replay.report.Mismatch` (step, where, what) and the
replay goes on, so one run names them all. :mod:`api.replay.report` renders the summary, JSON and HTML.
It sits at the api layer because step 3 needs the oracle's code.
"""
