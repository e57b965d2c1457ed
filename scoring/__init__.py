"""Scoring: the commercial-value credit model (features, scorecard, policy, reasons).

Not built yet (see the issues); the package exists so the distribution's layout is the
architecture's from the start.
"""
