"""`sisamu hub validate|roundtrip` through Typer's test runner."""

from __future__ import annotations

import json

from hub_reference import EXAMPLES, MODELES
from typer.testing import CliRunner

from sisamu.cli import app as root_app
from sisamu.hubsante.cli import app

runner = CliRunner()
VALID_ENVELOPE = MODELES / "valid" / "RC-EDA" / "RC-EDA.json"
FAILING_ENVELOPE = MODELES / "failing" / "EDXL-DE" / "error-in-envelope-and-content.json"
EXAMPLE = EXAMPLES / "RS-EDA" / "RS-EDA_Secondaire_RobertVermande.01.json"


def test_valid_files_exit_zero() -> None:
    result = runner.invoke(app, ["validate", str(VALID_ENVELOPE), str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "✓" in result.output


def test_failing_file_exits_one_with_the_property_path() -> None:
    result = runner.invoke(app, ["validate", str(VALID_ENVELOPE), str(FAILING_ENVELOPE)])
    assert result.exit_code == 1
    assert "content[0].jsonContent.embeddedJsonContent.message.technical.requiredStringField" in result.output
    assert "senderID" in result.output
    assert "is missing but it is required" in result.output
    assert FAILING_ENVELOPE.name in result.output


def test_bare_body_with_explicit_type() -> None:
    failing = MODELES / "failing" / "TECHNICAL_NOREQ" / "unknown-enum.json"
    result = runner.invoke(app, ["validate", "--type", "TECHNICAL_NOREQ", str(failing)])
    assert result.exit_code == 1
    assert "enumArrayField[1]" in result.output
    assert runner.invoke(app, ["validate", "-t", "NOPE", str(failing)]).exit_code == 2


def test_xml_is_reported_unsupported(tmp_path) -> None:
    result = runner.invoke(app, ["validate", str(MODELES / "valid" / "RC-EDA" / "RC-EDA.xml")])
    assert result.exit_code == 1
    assert "RC-EDA.xml" in result.output
    assert "XML" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{nope", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.json" in result.output


def test_roundtrip_prints_the_same_message() -> None:
    for path in (VALID_ENVELOPE, EXAMPLE):
        result = runner.invoke(app, ["roundtrip", str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == json.loads(path.read_text(encoding="utf-8"))


def test_roundtrip_refuses_a_broken_message() -> None:
    result = runner.invoke(app, ["roundtrip", str(FAILING_ENVELOPE)])
    assert result.exit_code == 1
    assert "senderID" in result.output


def test_mounted_under_sisamu_hub() -> None:
    result = runner.invoke(root_app, ["hub", "validate", str(VALID_ENVELOPE)])
    assert result.exit_code == 0, result.output
