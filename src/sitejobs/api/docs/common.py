"""Pieces the OpenAPI documents share."""

from __future__ import annotations

from typing import Any

OPENAPI_VERSION = "3.0.3"
JSON = "application/json"


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def response(description: str, schema: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = json_content(schema)
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return answer


def string_param(name: str, where: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": {"type": "string", **schema},
    }


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema `type: [x, "null"]` in OpenAPI 3.0's spelling."""
    types = schema.get("type")
    if isinstance(types, list):
        rest = [t for t in types if t != "null"]
        out = {k: v for k, v in schema.items() if k != "type"}
        if len(rest) == 1:
            out["type"] = rest[0]
        if "null" in types:
            out["nullable"] = True
        return out
    return schema


def openapi_schema(schema: Any) -> Any:
    """A JSON Schema (draft 7, as the metadata catalog serves it) in OpenAPI 3.0's dialect."""
    if isinstance(schema, dict):
        converted = {k: openapi_schema(v) for k, v in schema.items() if k not in ("$schema", "$id")}
        return nullable(converted) if isinstance(converted.get("type"), list) else converted
    if isinstance(schema, list):
        return [openapi_schema(item) for item in schema]
    return schema
