"""Validate JSON bodies against the official SI-SAMU ↔ LRM Swagger 2 definitions (package data `spec/`).

A Swagger 2 `definitions` object is JSON Schema draft 4 (plus annotations such as `example`): each Swagger file
is registered as one draft 4 resource in a `referencing` registry, and a body is checked against
`{"$ref": "<file URI>#/definitions/<Name>"}`, so nested `$ref: #/definitions/...` resolve inside the same file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

__all__ = [
    "SPEC_FILES",
    "CtiSchemaError",
    "CtiSpec",
    "definition_names",
    "json_schema",
    "load_swagger",
    "operation_definitions",
    "schema_errors",
    "validate_body",
]

CtiSpec = Literal["lrm", "si-samu"]
SPEC_FILES: dict[str, str] = {"lrm": "swagger-lrm.json", "si-samu": "swagger-si-samu.json"}
_BASE_URI = "https://sisamu.invalid/cti-spec/"


class CtiSchemaError(ValueError):
    """A body does not match its Swagger definition; `errors` lists `path: message` for every problem."""

    def __init__(self, spec: str, definition: str, errors: list[str]) -> None:
        super().__init__(f"{spec} {definition}: " + "; ".join(errors))
        self.errors = errors


def _file(spec: str) -> str:
    if spec not in SPEC_FILES:
        raise ValueError(f"unknown CTI specification {spec!r} (expected one of {', '.join(SPEC_FILES)})")
    return SPEC_FILES[spec]


@cache
def load_swagger(spec: CtiSpec) -> dict[str, Any]:
    text = files("sisamu.calls.cti").joinpath("spec", _file(spec)).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def _registry() -> Registry[Any]:
    resources = [
        (_BASE_URI + name, Resource.from_contents(load_swagger(spec), default_specification=DRAFT4))
        for spec, name in SPEC_FILES.items()
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry


def definition_names(spec: CtiSpec) -> list[str]:
    return sorted(load_swagger(spec)["definitions"])


def _check_definition(spec: CtiSpec, definition: str) -> None:
    if definition not in load_swagger(spec)["definitions"]:
        raise ValueError(f"{spec}: no definition {definition!r} (known: {', '.join(definition_names(spec))})")


@cache
def _validator(spec: CtiSpec, definition: str) -> Draft4Validator:
    _check_definition(spec, definition)
    schema = {"$ref": f"{_BASE_URI}{_file(spec)}#/definitions/{definition}"}
    return Draft4Validator(schema, registry=_registry())


def json_schema(spec: CtiSpec, definition: str) -> dict[str, Any]:
    """A standalone draft 4 schema for one definition (all definitions of its file embedded)."""
    _check_definition(spec, definition)
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": load_swagger(spec)["definitions"],
        "$ref": f"#/definitions/{definition}",
    }


def schema_errors(spec: CtiSpec, definition: str, body: object) -> list[str]:
    """Every mismatch between `body` and the definition, as `path: message` (`$` is the body itself)."""
    errors = sorted(
        _validator(spec, definition).iter_errors(body), key=lambda error: list(error.absolute_path)
    )
    return [f"{error.json_path}: {error.message}" for error in errors]


def validate_body(spec: CtiSpec, definition: str, body: object) -> None:
    errors = schema_errors(spec, definition, body)
    if errors:
        raise CtiSchemaError(spec, definition, errors)


def operation_definitions(spec: CtiSpec) -> dict[tuple[str, str], dict[str, str]]:
    """(HTTP method, path) → {"body": request definition, "<status>": response definition} for one file."""
    result: dict[tuple[str, str], dict[str, str]] = {}
    for path, operations in load_swagger(spec)["paths"].items():
        for method, operation in operations.items():
            names: dict[str, str] = {}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "body":
                    names["body"] = parameter["schema"]["$ref"].rsplit("/", 1)[-1]
            for status, response in operation.get("responses", {}).items():
                if "schema" in response:
                    names[status] = response["schema"]["$ref"].rsplit("/", 1)[-1]
            result[(method.upper(), path)] = names
    return result
