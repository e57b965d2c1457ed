"""The platform's entry points: the ``credtrace`` command (``api/cli``) and, later, the
HTTP API. This is the one layer that turns the packages' errors into messages for people
(and exit codes, or HTTP answers); everything below raises, nothing below prints.

Errors::

    ApiError              a request that cannot be served as asked (bad input, wrong state)
"""


class ApiError(Exception):
    """A request that cannot be served as asked; the message is meant for the user."""
