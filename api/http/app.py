"""The application: ``create_app(settings)`` wires the service (opened once, in the lifespan), the
request-id middleware, the problem handlers and one router per role. ``credtrace serve`` runs it on
uvicorn; the tests run the same application on a real uvicorn server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.http import openapi, portal, problems, requestid
from api.http.limits import BodyLimit
from api.http.routes import auditors, bank_loans, banks, enterprises, jobs, pools, proofs, providers, public, regulators
from api.http.service import started
from api.settings import Settings

VERSION = "1"
DESCRIPTION = """credtrace's platform API (seeds R2: one municipal platform). Every request that acts or reads
enterprise data is signed per RFC 9421 with the participant's Ed25519 key registered on chain
(keyid = its account); errors are RFC 9457 problem documents."""


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with started(settings) as service:
            app.state.service = service
            yield

    app = FastAPI(title="credtrace", version=VERSION, description=DESCRIPTION, lifespan=lifespan)
    app.add_middleware(BodyLimit)
    app.add_middleware(requestid.RequestIds)  # outermost: even a refused body's problem names its request
    problems.install(app)
    openapi.install(app)
    app.include_router(public.router)
    app.include_router(jobs.router)
    app.include_router(providers.router)
    app.include_router(enterprises.router)
    app.include_router(banks.router)
    app.include_router(bank_loans.router)
    app.include_router(proofs.router)
    app.include_router(auditors.router)
    app.include_router(regulators.router)
    app.include_router(pools.router)
    portal.install(app)
    return app
