"""The platform's entry points: the ``credtrace`` command (``api/cli``) and, later, the
HTTP API. This is the one layer that turns the packages' errors into messages for people
(and exit codes, or HTTP answers); everything below raises, nothing below prints.

Errors::

    ApiError              a request that cannot be served as asked (bad input, wrong state)
    └── NotFound          what was asked for by its name or hash is not there (HTTP 404)
"""


class ApiError(Exception):
    """A request that cannot be served as asked; the message is meant for the user."""


class NotFound(ApiError):
    """What was asked for by its name or hash (an object, an application) is not there."""
