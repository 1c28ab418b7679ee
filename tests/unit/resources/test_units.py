"""Duty rotas, the level a file needs, and the MQTT payload rules (no I/O)."""

from __future__ import annotations

from datetime import datetime

import pytest

from sisamu.domain.codes import NiveauSoin, Priorite
from sisamu.resources.model import InvalidResource, check_unit, needed_level, on_duty, parse_duty
from sisamu.resources.mqtt import BadMessage, PositionPayload, StatusPayload, broker_address, parse

DAY = [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "20:00"}]
NIGHT = [{"days": [4], "start": "20:00", "end": "08:00"}]  # Friday night into Saturday


@pytest.mark.parametrize(
    ("rota", "moment", "expected"),
    [
        ([], "2026-01-25T03:00", True),
        (DAY, "2026-01-26T08:00", True),  # Monday
        (DAY, "2026-01-26T20:00", False),
        (DAY, "2026-01-25T12:00", False),  # Sunday
        (NIGHT, "2026-01-30T21:00", True),  # Friday evening
        (NIGHT, "2026-01-31T07:59", True),  # Saturday morning, same shift
        (NIGHT, "2026-01-31T21:00", False),  # Saturday evening
        (NIGHT, "2026-01-30T07:00", False),  # Friday morning: Thursday had no night shift
    ],
)
def test_duty_rota(rota, moment, expected):
    assert on_duty(rota, datetime.fromisoformat(moment)) is expected


@pytest.mark.parametrize(
    "rota",
    [
        [{"days": [7], "start": "08:00", "end": "09:00"}],
        [{"start": "8h", "end": "09:00"}],
        [{"days": [], "start": "08:00", "end": "09:00"}],
    ],
)
def test_bad_rotas_are_refused(rota):
    with pytest.raises(InvalidResource):
        parse_duty(rota)


def test_unit_codes_are_checked():
    assert check_unit("SMUR", "SMUR.VLM", "MED")[1] == "SMUR.VLM"
    for bad in (("SAMU", "SMUR.VLM", "MED"), ("SMUR", "VLM", "MED"), ("SMUR", "SMUR.VLM", "DOCTOR")):
        with pytest.raises(InvalidResource):
            check_unit(*bad)


def test_needed_level():
    assert needed_level(["R3", None, "R2"], Priorite.P2) is NiveauSoin.R2
    assert needed_level([None], Priorite.P0) is NiveauSoin.R1
    assert needed_level([], "P1") is NiveauSoin.R2
    assert needed_level(["R4"], Priorite.P0) is NiveauSoin.R4


def test_mqtt_parse():
    status = parse("sisamu/250/resources/VLM.1/status", b'{"status": "DEPART", "at": "2026-01-25T10:00:00Z"}')
    assert (status.samu_id, status.resource_id) == ("250", "VLM.1")
    assert isinstance(status.payload, StatusPayload)
    position = parse("sisamu/76A/resources/TSU1.76540/position", b'{"lat": 49.4, "lon": 1.1, "heading": 90}')
    assert isinstance(position.payload, PositionPayload)
    assert parse("x/250/resources/A/status", b'{"status": "PEC"}', prefix="x").payload.status == "PEC"


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("sisamu/250/resources/VLM/speed", b"{}", "unknown topic"),
        ("other/250/resources/VLM/status", b"{}", "unknown topic"),
        ("sisamu/250/resources/VLM/status", b"\xff", "not JSON"),
        ("sisamu/250/resources/VLM/status", b"[1]", "not a JSON object"),
        ("sisamu/250/resources/VLM/status", b'{"status": "PARTI"}', "invalid status"),
        ("sisamu/250/resources/VLM/status", b'{"status": "PEC", "at": "2026-01-25T10:00:00"}', "time zone"),
        ("sisamu/250/resources/VLM/position", b'{"lat": 1}', "lon"),
        ("sisamu/250/resources/VLM/position", b'{"lat": "a", "lon": 1}', "lat"),
        ("sisamu/250/resources/VLM/position", b" " * 5000, "over 4096"),
    ],
)
def test_mqtt_bad_messages(topic, payload, reason):
    with pytest.raises(BadMessage, match=reason):
        parse(topic, payload)


def test_broker_address():
    assert broker_address("mqtt://127.0.0.1").port == 1883
    secure = broker_address("mqtts://user:pw@broker.example:8884")
    assert (secure.tls, secure.port, secure.username, secure.password) == (True, 8884, "user", "pw")
    with pytest.raises(ValueError, match="not an MQTT URL"):
        broker_address("http://x")
