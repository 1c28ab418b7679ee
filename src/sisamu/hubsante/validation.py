"""Validation of Hub Santé messages against the official JSON Schemas (Draft 7), with readable property paths."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, FormatChecker, ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from sisamu.hubsante.message_types import (
    ENVELOPE_SCHEMA,
    FULL_ENVELOPE_SCHEMA,
    ROOT_KEYS,
    MessageType,
    message_type,
)

# The files carry `"$id": "classpath:/json-schema/schema#"` (or a misleading json-schema.org id) and refer to each
# other by bare file name: each one is registered under its own URI below this base, so `RC-DE.schema.json`
# resolves to its sibling.
SCHEMA_BASE_URI = "https://sisamu.invalid/hubsante/json-schema/"
HEADER_SCHEMA = "RC-DE"
MESSAGE_PATH = ("jsonContent", "embeddedJsonContent", "message")
_MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem: where (`content[0].jsonContent.embeddedJsonContent.message.sender.URI`) and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '$'}: {self.reason}"


def schema_uri(schema: str) -> str:
    return f"{SCHEMA_BASE_URI}{schema}.schema.json"


@cache
def _registry() -> Registry[Any]:
    folder = resources.files("sisamu.hubsante.schemas")
    registry: Registry[Any] = Registry()
    for entry in folder.iterdir():
        if entry.name.endswith(".schema.json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            uri = SCHEMA_BASE_URI + entry.name
            contents["$id"] = uri
            registry = registry.with_resource(
                uri, Resource.from_contents(contents, default_specification=DRAFT7)
            )
    return registry.crawl()


_RFC3339_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+\-]\d{2}:\d{2})$")


def _is_date_time(instance: object) -> bool:
    """RFC 3339 `date-time` (what the `format` keyword means); the Hub's stricter form is a `pattern` in the schemas."""
    if not isinstance(instance, str):
        return True
    if not _RFC3339_DATETIME.fullmatch(instance):
        return False
    try:
        datetime.fromisoformat(instance.upper())
    except ValueError:
        return False
    return True


def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        date.fromisoformat(instance)
    except ValueError:
        return False
    return len(instance) == len("YYYY-MM-DD")


# Only the formats the Hub schemas use, checked without optional dependencies.
FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checks("date-time")(_is_date_time)
FORMAT_CHECKER.checks("date")(_is_date)


@cache
def validator(schema: str) -> Draft7Validator:
    """The cached Draft 7 validator of one schema file (`RS-EDA`, `RC-DE`, `EDXL-DE-full`, …)."""
    registry = _registry()
    contents = registry.contents(schema_uri(schema))
    return Draft7Validator(contents, registry=registry, format_checker=FORMAT_CHECKER)


def format_path(parts: Iterable[str | int]) -> str:
    """`["content", 0, "jsonContent"]` → `content[0].jsonContent`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _short(value: object) -> str:
    return _clip(json.dumps(value, ensure_ascii=False))


_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}


_REASONS = {
    "enum": "does not have a value in the enumeration {value}",
    "pattern": "does not match the regex pattern {raw}",
    "format": "{instance} is an invalid {raw}",
    "maxItems": "there must be a maximum of {raw} items in the array",
    "minItems": "there must be a minimum of {raw} items in the array",
    "oneOf": "should be valid against one and only one schema: {message}",
}


def _reason(error: ValidationError) -> str:
    validator_name = str(error.validator)
    if validator_name == "type":
        found = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
        return f"{found} found, {error.validator_value} expected"
    template = _REASONS.get(validator_name, "{message}")
    return template.format(
        value=_short(error.validator_value),
        raw=error.validator_value,
        instance=_short(error.instance),
        message=_clip(str(error.message)),
    )


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_REASON else text[:_MAX_REASON] + "…"


def _issues(errors: Iterable[ValidationError], prefix: str) -> list[ValidationIssue]:
    """Hub-style issues: a missing or unexpected property is named in the path itself."""
    issues: list[ValidationIssue] = []
    seen: set[tuple[str, str]] = set()
    for error in sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), str(e.validator))):
        path = _join(prefix, format_path(error.absolute_path))
        if error.validator in {"required", "additionalProperties"}:
            if (path, str(error.validator)) in seen:
                continue
            seen.add((path, str(error.validator)))
        instance = error.instance
        if error.validator == "required" and isinstance(instance, Mapping):
            issues.extend(
                ValidationIssue(_join(path, name), "is missing but it is required")
                for name in error.validator_value
                if name not in instance
            )
        elif error.validator == "additionalProperties" and isinstance(instance, Mapping):
            known = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
            issues.extend(
                ValidationIssue(
                    _join(path, name),
                    "is not defined in the schema and the schema does not allow additional properties",
                )
                for name in instance
                if name not in known
            )
        else:
            issues.append(ValidationIssue(path, _reason(error)))
    return issues


def validate_message(
    type_or_root_key: str | MessageType, payload: Any, *, prefix: str = ""
) -> list[ValidationIssue]:
    """Validate a message body (the object under its root key) against its schema; paths are relative to it."""
    kind = message_type(type_or_root_key)
    return _issues(validator(kind.schema).iter_errors(payload), prefix)


def validate_header(message: Any, *, prefix: str = "") -> list[ValidationIssue]:
    """Validate the RC-DE header fields of an embedded `message` object."""
    return _issues(validator(HEADER_SCHEMA).iter_errors(message), prefix)


def root_keys_of(message: Mapping[str, Any]) -> list[str]:
    """The known message root keys present in an embedded `message` object, in document order."""
    return [key for key in message if key in ROOT_KEYS]


def validate_document(document: Any) -> list[ValidationIssue]:
    """Validate a bare body document `{"<rootKey>": {...}}` (the form of the official examples)."""
    if not isinstance(document, Mapping):
        return [ValidationIssue("", f"{_JSON_TYPES.get(type(document), 'value')} found, object expected")]
    keys = root_keys_of(document)
    issues = [
        ValidationIssue(name, "is not a known message root key") for name in document if name not in ROOT_KEYS
    ]
    if not keys:
        issues.append(ValidationIssue("", "no known message type (root key) found"))
    for key in keys:
        issues.extend(validate_message(key, document[key], prefix=key))
    return issues


def _validate_embedded(message: Mapping[str, Any], index: int) -> list[ValidationIssue]:
    prefix = format_path(["content", index, *MESSAGE_PATH])
    keys = root_keys_of(message)
    issues: list[ValidationIssue] = []
    if not keys:
        issues.append(
            ValidationIssue(prefix, "could not detect any message type (root key), one is required")
        )
    elif len(keys) > 1:
        issues.append(
            ValidationIssue(
                format_path(["content", index, *MESSAGE_PATH[:-1]]),
                f"should hold one and only one message type, but {len(keys)} are present: {', '.join(keys)}",
            )
        )
    kinds = [message_type(key) for key in keys]
    if not kinds or any(kind.header for kind in kinds):
        issues.extend(validate_header(message, prefix=prefix))
    for kind in kinds:
        issues.extend(validate_message(kind, message[kind.root_key], prefix=_join(prefix, kind.root_key)))
    return issues


def _embedded_messages(envelope: Mapping[str, Any]) -> Iterable[tuple[int, Any]]:
    content = envelope.get("content")
    if not isinstance(content, Sequence) or isinstance(content, str):
        return
    for index, item in enumerate(content):
        inner: Any = item
        for step in MESSAGE_PATH[:-1]:
            inner = inner.get(step) if isinstance(inner, Mapping) else None
        if isinstance(inner, Mapping):
            yield index, inner.get(MESSAGE_PATH[-1])


def validate_envelope(envelope: Any, *, exhaustive: bool = False) -> list[ValidationIssue]:
    """Validate a whole EDXL-DE message: envelope, then each embedded RC-DE header and body.

    The envelope is checked against `EDXL-DE-envelope-only`, each `content[i]…message` against RC-DE and the schema
    of its root key, so issues name the failing property. That accepts exactly what `EDXL-DE-full` accepts: the
    full schema adds only a `oneOf` over the 23 message types, each branch requiring its own root key (with the
    RC-DE header for the types that have one), and the checks above require exactly one known root key and
    validate the header and the body of that branch; the envelope-only schema is the stricter one elsewhere. The
    full `oneOf` tries every branch (about three times the work), so it runs only with `exhaustive` (the
    integrators' CLI); the tests check that both answers agree on every official example and failing sample.
    """
    if not isinstance(envelope, Mapping):
        return [ValidationIssue("", f"{_JSON_TYPES.get(type(envelope), 'value')} found, object expected")]
    issues = _issues(validator(ENVELOPE_SCHEMA).iter_errors(envelope), "")
    for index, message in _embedded_messages(envelope):
        if isinstance(message, Mapping):
            issues.extend(_validate_embedded(message, index))
        else:
            path = format_path(["content", index, *MESSAGE_PATH])
            reason = "is missing but it is required" if message is None else "object expected"
            issues.append(ValidationIssue(path, reason))
    if not issues and exhaustive:
        issues = _issues(validator(FULL_ENVELOPE_SCHEMA).iter_errors(envelope), "")
    return issues
