"""The OpenAPI document, with the problems every operation may answer declared once: each operation
lists the RFC 9457 responses (``application/problem+json``, schema ``Problem``) of the classes in
:data:`~api.http.problems.CATALOGUE`, so a client generator or a conformance tool (schemathesis runs
against this document in the tests) sees every status the server can give, not only the happy one."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.http.problems import CATALOGUE, MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "request_id"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<slug>: stable per class of error"},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "instance": {"type": "string"}, "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}
_METHODS = ("get", "post", "put", "patch", "delete")


def install(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def with_problems(doc: dict[str, Any]) -> dict[str, Any]:
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    statuses = sorted({kind.status for kind in CATALOGUE})
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            if method in item:
                _declare(item[method].setdefault("responses", {}), statuses)
    return doc


def _declare(responses: dict[str, Any], statuses: list[int]) -> None:
    content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for status in statuses:
        titles = "; ".join(k.slug for k in CATALOGUE if k.status == status)
        responses[str(status)] = {"description": f"Problem ({titles})", "content": content}
