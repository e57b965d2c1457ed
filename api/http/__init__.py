"""The platform over HTTP (seeds R2: one municipal platform, the bank-enterprise matching window).

A FastAPI application over the same :class:`~api.platform.Platform` the commands open: no rule is
implemented twice. Layout::

    app.py         create_app(settings): the application, its lifespan and its routers
    service.py     what a request is served with: the platform, the keystore, one writer lock
    problems.py    RFC 9457 problem details: the error catalogue, one stable ``type`` per class
    requestid.py   every request's id, echoed in ``X-Request-Id`` and in each problem
    auth/          RFC 9421 HTTP Message Signatures with registered Ed25519 keys: who is calling
    routes/        one module per role (providers, enterprises, banks, auditors, regulators, public)
    portal/        the server-rendered financing service portal (Jinja2, zh-CN with an English switch)

Errors raised below this package (``LedgerError``, ``OracleError``, ``ApiError`` …) become problems
here and only here; a response never carries a stack trace.
"""
