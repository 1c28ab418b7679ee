"""Statuses and positions from vehicle terminals through the real Mosquitto broker."""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest

from sisamu.resources import positions, service
from sisamu.resources.mqtt import MqttAdapter
from support import missing_service

pytestmark = [pytest.mark.db, pytest.mark.broker]

BROKER = ("127.0.0.1", 1883)


@pytest.fixture
def broker() -> str:
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError as exc:
        missing_service(
            f"no MQTT broker reachable at {BROKER[0]}:{BROKER[1]} ({exc}); start Mosquitto to run this test"
        )
    return f"mqtt://{BROKER[0]}:{BROKER[1]}"


@pytest.fixture
def prefix() -> str:
    """A topic root of this test's own: other test runs may share the broker."""
    return f"sisamu-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def adapter(platform, broker, prefix):
    running = MqttAdapter(platform, broker, prefix=prefix)
    running.start()
    assert running.connected.wait(10), "the adapter did not connect to the broker"
    yield running
    running.stop()


@pytest.fixture
def publisher(broker):
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}"
    )
    client.connect(*BROKER)
    client.loop_start()

    def publish(topic: str, payload: object) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        client.publish(topic, data, qos=1).wait_for_publish(5)

    yield publish
    client.disconnect()
    client.loop_stop()


def _until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_statuses_and_positions_over_mqtt(platform, world, adapter, publisher, prefix):
    regulator = world["principals"]["regulator.250"]
    with platform.uow() as uow:
        mission = service.engage(
            uow,
            principal=regulator,
            number=world["number"],
            resource_id="VLM.BESANCON",
            now=platform.clock.now(),
        )

    def status() -> str:
        with platform.uow() as uow:
            return service.get_mission(
                uow, principal=regulator, samu_id="250", mission_id=mission.mission_id
            ).status

    topic = f"{prefix}/250/resources/VLM.BESANCON"
    publisher(f"{topic}/status", {"status": "DECLENCHE"})
    _until(lambda: status() == "DECLENCHE")
    publisher(f"{topic}/status", {"status": "DEPART", "mission_id": mission.mission_id})
    _until(lambda: status() == "DEPART")

    # bad input is dropped with a reason, and the adapter carries on
    publisher(f"{topic}/status", b"{not json")
    publisher(f"{topic}/status", {"status": "DESTIN"})  # not allowed after DEPART
    publisher(f"{topic}/status", {"status": "ARRIVEE", "extra": 1})
    publisher(f"{prefix}/250/resources/NOPE/position", {"lat": 47.0, "lon": 6.0})
    publisher(f"{topic}/position", {"lat": 123.0, "lon": 6.0})
    _until(lambda: len(adapter.dropped) >= 5)
    reasons = [reason for _, reason in adapter.dropped]
    assert reasons[0].startswith("not JSON")
    assert "cannot go to DESTIN" in reasons[1]
    assert "extra" in reasons[2]
    assert "no resource NOPE" in reasons[3]
    assert "lat" in reasons[4]

    publisher(f"{topic}/position", {"lat": 47.26, "lon": 6.05, "speed_kmh": 90, "heading": 45})
    publisher(f"{topic}/status", {"status": "ARRIVEE"})
    _until(lambda: status() == "ARRIVEE")
    with platform.uow() as uow:
        unit = next(
            r
            for r in service.list_resources(uow, principal=regulator, samu_id="250")
            if r.resource_id == "VLM.BESANCON"
        )
        track = positions.positions(
            uow, principal=regulator, samu_id="250", resource_id="VLM.BESANCON", since=None, limit=10
        )
    assert (unit.lat, unit.lon, unit.status) == (47.26, 6.05, "ARRIVEE")
    assert [(p.lat, p.source) for p in track] == [(47.26, "MQTT")]
    with platform.uow() as uow:
        item = service.get_mission(uow, principal=regulator, samu_id="250", mission_id=mission.mission_id)
    assert [(e.status, e.source) for e in item.history] == [
        ("DECISION", "CONSOLE"),
        ("DECLENCHE", "MQTT"),
        ("DEPART", "MQTT"),
        ("ARRIVEE", "MQTT"),
    ]
