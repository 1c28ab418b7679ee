"""Validation against the official schemas, driven by the reference examples and samples."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import pytest
from hub_reference import (
    example_files,
    expected_paths,
    failing_samples,
    ids,
    is_envelope,
    load,
    valid_samples,
)

from sisamu.hubsante.validation import (
    ValidationIssue,
    format_path,
    validate_document,
    validate_envelope,
    validate_message,
    validator,
)

if TYPE_CHECKING:
    from pathlib import Path

EXAMPLES = example_files()
VALID = valid_samples()
FAILING = failing_samples()


def _validate_sample(path: Path) -> list[ValidationIssue]:
    document = load(path)
    if is_envelope(document):
        return validate_envelope(document)
    return validate_message(path.parent.name, document)  # bare body of the folder's type (TECHNICAL…)


def test_reference_is_not_empty() -> None:
    assert len(EXAMPLES) >= 100
    assert VALID
    assert FAILING


@pytest.mark.parametrize("path", EXAMPLES, ids=ids(EXAMPLES))
def test_every_example_validates_against_its_schema(path: Path) -> None:
    document = load(path)
    assert validate_document(document) == []
    ((root_key, body),) = document.items()
    assert validate_message(path.parent.name, body) == validate_message(root_key, body) == []


@pytest.mark.parametrize("path", VALID, ids=ids(VALID))
def test_every_valid_sample_validates(path: Path) -> None:
    assert _validate_sample(path) == []


@pytest.mark.parametrize("path", FAILING, ids=ids(FAILING))
def test_every_failing_sample_is_rejected_naming_the_property(path: Path) -> None:
    issues = _validate_sample(path)
    assert issues
    expected = expected_paths(path.with_name(path.name + ".errors"))
    assert expected, "the .errors file names at least one property"
    assert expected <= {issue.path for issue in issues}


def test_issue_path_points_into_the_embedded_body() -> None:
    envelope = load(next(p for p in VALID if p.parent.name == "RC-EDA"))
    broken = copy.deepcopy(envelope)
    message = broken["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    message["createCase"]["qualification"] = "not an object"
    issues = validate_envelope(broken)
    path = "content[0].jsonContent.embeddedJsonContent.message.createCase.qualification"
    assert ValidationIssue(path, "string found, object expected") in issues


def test_datetime_format_is_checked() -> None:
    example = load(next(p for p in EXAMPLES if p.parent.name == "RS-EDA"))
    body = example["createCaseHealth"]
    body["creation"] = "2024-11-18T06:57:00Z"
    paths = {issue.path for issue in validate_message("RS-EDA", body)}
    assert "creation" in paths


def test_bare_document_with_unknown_root_key() -> None:
    issues = validate_document({"somethingElse": {}})
    assert {issue.path for issue in issues} == {"somethingElse", ""}
    assert validate_document([]) != []


def test_envelope_that_is_not_an_object() -> None:
    assert validate_envelope("nope") == [ValidationIssue("", "string found, object expected")]


def test_missing_message_is_reported() -> None:
    envelope = load(next(p for p in VALID if p.parent.name == "RC-EDA"))
    del envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    paths = {issue.path for issue in validate_envelope(envelope)}
    assert "content[0].jsonContent.embeddedJsonContent.message" in paths


def test_validators_are_cached() -> None:
    assert validator("RS-EDA") is validator("RS-EDA")


def test_format_path() -> None:
    assert format_path(["content", 0, "jsonContent", "a", 2]) == "content[0].jsonContent.a[2]"
    assert format_path([]) == ""


def _accepted_by_full_schema(envelope: object) -> bool:
    return not any(True for _ in validator("EDXL-DE-full").iter_errors(envelope))


def _envelopes() -> list[tuple[str, object]]:
    """Every envelope sample, every example wrapped in a valid envelope, and breakages of the embedded message."""
    template = load(next(p for p in VALID if p.parent.name == "RC-EDA"))
    found: list[tuple[str, object]] = []
    for path in [*VALID, *FAILING]:
        document = load(path)
        if is_envelope(document):
            found.append((path.name, document))
    for path in EXAMPLES:
        ((root_key, body),) = load(path).items()
        envelope = copy.deepcopy(template)
        message = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
        del message["createCase"]
        message[root_key] = body
        found.append((path.name, envelope))
        two_types = copy.deepcopy(envelope)
        two_types["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["technicalNoreq"] = {}
        found.append((path.name + "+technicalNoreq", two_types))
        no_header = copy.deepcopy(envelope)
        del no_header["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]["sender"]
        found.append((path.name + "-sender", no_header))
    return found


ENVELOPES = _envelopes()


@pytest.mark.parametrize(("name", "envelope"), ENVELOPES, ids=[name for name, _ in ENVELOPES])
def test_the_fast_path_accepts_exactly_what_the_full_schema_accepts(name: str, envelope: object) -> None:
    fast = validate_envelope(envelope)
    assert (not fast) == _accepted_by_full_schema(envelope)
    assert validate_envelope(envelope, exhaustive=True) == fast
