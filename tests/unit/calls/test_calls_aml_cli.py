"""`sisamu aml parse`: JSON on success (exit 0), the reason on stderr (exit 2)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sisamu.calls.aml.cli import app
from sisamu.cli import app as root_app

SMS = (
    'A"ML=1;lt=+48.85661;lg=+2.35222;rd=15;top=20260125101530;lc=68;pm=G;'
    "si=208011234567890;ei=356708041746734;mcc=208;mnc=01;ml=127"
)


def test_parse_sms_prints_json() -> None:
    result = CliRunner().invoke(app, ["parse", SMS, "--msisdn", "+33612345678"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lat"] == 48.85661
    assert data["lon"] == 2.35222
    assert data["positioned_at"] == "2026-01-25T10:15:30+00:00"
    assert data["method"] == "G"
    assert data["msisdn"] == "+33612345678"
    assert data["transport"] == "sms"


def test_parse_https_prints_json() -> None:
    body = (
        "v=1&location_latitude=47.2&location_longitude=6.02&location_time=1769335830500&location_source=gps"
    )
    result = CliRunner().invoke(app, ["parse", body])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["positioned_at"] == "2026-01-25T10:10:30.500000+00:00"


def test_invalid_message_exits_2_with_reason_on_stderr() -> None:
    result = CliRunner().invoke(app, ["parse", SMS.replace("lt=+48.85661", "lt=+98.85661")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "lt: 98.85661 is out of range [-90, 90]" in result.stderr


def test_mounted_as_sisamu_aml() -> None:
    result = CliRunner().invoke(root_app, ["aml", "parse", "nothing"])
    assert result.exit_code == 2
    assert "missing mandatory field(s)" in result.stderr
