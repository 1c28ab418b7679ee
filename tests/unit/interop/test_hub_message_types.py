"""The hard-coded message-type registry matches the model's `schemas.yaml`; package data matches the reference
(by SHA-256, `tests/data/hubsante/schemas/json-schema.sha256`)."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest
from hub_reference import HUBSANTE, SCHEMAS

from sisamu.hubsante.message_types import (
    MESSAGE_TYPES,
    UnknownMessageTypeError,
    by_root_key,
    message_type,
)


def _parse_schemas_yaml(text: str) -> list[dict[str, str]]:
    """A tiny parser for the flat list of mappings in `schemas.yaml` (`- key: value` / `  key: value`)."""
    entries: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("- "):
            entries.append({})
            line = "  " + line[2:]
        if line.startswith("  ") and ":" in line and entries:
            key, _, value = line.strip().partition(":")
            entries[-1][key.strip()] = value.strip()
    return entries


def test_registry_matches_schemas_yaml() -> None:
    entries = _parse_schemas_yaml((SCHEMAS / "schemas.yaml").read_text(encoding="utf-8"))
    expected = {(e["schema"], e["rootElement"], e["perimeter"], e["header"] == "Y") for e in entries}
    actual = {(t.schema, t.root_key, t.perimeter, t.header) for t in MESSAGE_TYPES}
    assert actual == expected


def test_every_message_type_has_its_schema_file() -> None:
    folder = resources.files("sisamu.hubsante.schemas")
    for kind in MESSAGE_TYPES:
        assert folder.joinpath(kind.schema_file).is_file(), kind.schema_file


def test_packaged_schemas_are_byte_copies_of_the_reference() -> None:
    """The official schemas' SHA-256 (`json-schema.sha256`, taken from the reference) name every packaged one."""
    folder = resources.files("sisamu.hubsante.schemas")
    lines = (SCHEMAS / "json-schema.sha256").read_text(encoding="utf-8").splitlines()
    reference = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    assert reference
    packaged = {entry.name for entry in folder.iterdir() if entry.name.endswith(".json")}
    assert packaged == set(reference)
    for name, digest in reference.items():
        assert hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest() == digest, name


def test_provenance_names_commit_and_every_file() -> None:
    provenance = resources.files("sisamu.hubsante.schemas").joinpath("PROVENANCE.md").read_text("utf-8")
    manifest = [
        line.split("\t")
        for line in (HUBSANTE / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
        if line.startswith("schemas/json-schema/")
    ]
    assert manifest
    for _dest, repo, commit, source in manifest:
        assert repo in provenance
        assert commit in provenance
        assert source in provenance


def test_lookup_by_schema_name_or_root_key() -> None:
    assert message_type("RS-EDA") is message_type("createCaseHealth")
    assert by_root_key("createCase") is message_type("RC-EDA")
    assert by_root_key("nothing") is None
    with pytest.raises(UnknownMessageTypeError):
        message_type("RS-NOPE")
