"""The Ethereum execution-apis OpenRPC specification, vendored in ``execution_apis/`` (commit and
licence in its README), read for the conformance test.

Each method file (``eth/*.yaml``) lists methods with a ``result.schema``; the schema files
(``schemas/*.yaml``) merge into one ``components.schemas``, which every ``$ref:
'#/components/schemas/X'`` names. Results are validated as JSON Schema draft 2019-09: the spec's own
checker (``tools/cmd/speccheck/check.go``) forces that draft.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC = Path(__file__).resolve().parent / "execution_apis"


@cache
def spec_methods() -> dict[str, dict[str, Any]]:
    return {m["name"]: m for f in sorted(SPEC.glob("eth/*.yaml")) for m in yaml.safe_load(f.read_text())}


@cache
def spec_schemas() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(SPEC.glob("schemas/*.yaml")):
        merged.update(yaml.safe_load(path.read_text()))
    return merged


def result_validator(method: str) -> jsonschema.Draft201909Validator:
    """The method's ``result.schema`` with the merged schemas as its ``#/components/schemas``."""
    return validator(spec_methods()[method]["result"]["schema"])


def validator(schema: dict[str, Any]) -> jsonschema.Draft201909Validator:
    schema = {**schema, "components": {"schemas": spec_schemas()}}
    return jsonschema.Draft201909Validator(schema)


def leaves(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """The deepest failures under each error (a ``oneOf`` says only that no branch matched), deepest
    first; those of the ``notFound`` (null) branch say nothing and are dropped."""
    found: list[jsonschema.ValidationError] = []
    pending = list(errors)
    while pending:
        error = pending.pop()
        if error.context:
            pending.extend(error.context)
        elif error.validator != "type" or error.validator_value != "null":
            found.append(error)
    return sorted(found, key=lambda e: -len(e.absolute_path))


def explain(errors: list[jsonschema.ValidationError]) -> str:
    """A few lines saying where and why, for a failure message; judge by ``errors``, never by this."""
    lines = dict.fromkeys(f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in leaves(errors))
    return "\n".join(list(lines)[:8])
