"""Moved to :mod:`api.actions.loan_view`, shared with the HTTP routes; kept so the commands' imports hold."""

from api.actions.loan_view import *  # noqa: F403
