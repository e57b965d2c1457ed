"""Moved to :mod:`api.actions.loan_args`, shared with the HTTP routes; kept so the commands' imports hold."""

from api.actions.loan_args import *  # noqa: F403
