"""The start-a-job form, generated from the job's parameter schema, and the submission read back from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import FormData

from sitejobs.engine.registry import JobDefinition, Param
from sitejobs.errors import MalformedDocument

REQUEST_FIELD = "request"
INPUT_TYPES = {"integer": "number", "number": "number", "string": "text", "boolean": "checkbox"}


@dataclass(frozen=True, slots=True)
class Field:
    param: Param
    input_type: str
    step: str | None

    @property
    def checked(self) -> bool:
        return (self.param.default or "").lower() == "true"


def fields(definition: JobDefinition) -> list[Field]:
    return [
        Field(p, "select" if p.choices else INPUT_TYPES[p.type], "1" if p.type == "integer" else "any")
        for p in definition.params
    ]


def request_template(definition: JobDefinition) -> str:
    """A request document to start from: each property of the job's request model with its default."""
    assert definition.system_request is not None
    schema = definition.system_request.model.model_json_schema()
    example = {name: spec.get("default", "") for name, spec in schema.get("properties", {}).items()}
    return orjson.dumps(example, option=orjson.OPT_INDENT_2).decode()


def request_schema(definition: JobDefinition) -> str:
    assert definition.system_request is not None
    schema = definition.system_request.model.model_json_schema()
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode()


def submission(
    definition: JobDefinition, form: FormData
) -> tuple[list[tuple[str, object]], dict[str, Any] | None]:
    """(parameters, request document) as the engine's `submit` takes them, from the posted form."""
    if definition.system_request is not None:
        raw = str(form.get(REQUEST_FIELD) or "").strip() or "{}"
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise MalformedDocument("The request body is not well-formed JSON.") from None
        if not isinstance(document, dict):
            raise MalformedDocument("The request body must be a JSON object.")
        return [], document
    given: list[tuple[str, object]] = []
    for param in definition.params:
        if param.type == "boolean":
            value = "true" if form.get(param.name) == "true" else "false"
            if value != (param.default or "false").lower():
                given.append((param.name, value))
            continue
        text = str(form.get(param.name) or "").strip()
        if text:
            given.append((param.name, text))
    return given, None
