"""Issue 12, "Roles and grants": a caller's phone number is patient data. The call list, a call, the callback list
and the live events that carry a number show it only to the room's staff holding `patient.read`, whose reads are
audited; crews, national operators and administrators get the same data without the number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from bearers import bearers
from fastapi.testclient import TestClient

from sisamu.calls.distribution import service as calls
from sisamu.calls.flux import Flux
from sisamu.domain.clock import FakeClock
from sisamu.domain.events import LiveEvent
from sisamu.security.roles import Role
from sisamu.storage.tables import audit_event
from sisamu.web.app import create_app

pytestmark = pytest.mark.db
BASE = "/api/samus/250/telephony"
NUMBER = "0612345678"
PEOPLE = {
    "arm.250": Role.ARM,
    "supervisor.250": Role.SUPERVISOR,
    "crew.250": Role.CREW,
    "admin.250": Role.ADMIN,
    "national": Role.NATIONAL,
}
MASKED = ("crew.250", "admin.250", "national")


@pytest.fixture
def room(platform) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """SAMU 250 with a call c1 talked about and a call c2 lost (so on the callback list), both from NUMBER."""
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    now = platform.clock.now()
    headers = bearers(platform, PEOPLE)
    with platform.uow() as uow:
        for call_id in ("c1", "c2"):
            calls.offer(
                uow, principal=None, samu_id="250", call_id=call_id, flux=Flux.CENTRE_15,
                caller_number=NUMBER, now=now,
            )  # fmt: skip
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="250", call_id="c2", now=now + timedelta(seconds=60))
    with TestClient(create_app(platform, services=[]), base_url="https://testserver") as client:
        yield client, headers


def _entries(platform, action: str) -> list[sa.Row]:
    with platform.engine.connect() as conn:
        query = sa.select(audit_event).where(audit_event.c.action == action).order_by(audit_event.c.seq)
        return conn.execute(query).all()


def test_the_calls_show_the_number_to_the_room_staff_only(platform, room):
    client, headers = room
    for who in ("arm.250", "supervisor.250", *MASKED):
        listed = client.get(f"{BASE}/calls", headers=headers[who])
        one = client.get(f"{BASE}/calls/c1", headers=headers[who])
        assert (listed.status_code, one.status_code) == (200, 200), who
        numbers = {c["caller_number"] for c in listed.json()} | {one.json()["caller_number"]}
        assert numbers == ({None} if who in MASKED else {NUMBER}), who
    listed = {
        e.actor: {**e.detail, "calls": sorted(e.detail["calls"])} for e in _entries(platform, "call.list")
    }
    assert listed["arm.250"] == {"calls": ["c1", "c2"]}
    assert listed["national"] == {"calls": ["c1", "c2"], "numbers": False}
    assert {e.actor for e in _entries(platform, "call.read")} == {"arm.250", "supervisor.250", *MASKED}


def test_the_callback_list_shows_the_number_to_the_room_staff_only_and_is_audited(platform, room):
    client, headers = room
    for who in ("arm.250", *MASKED):
        listed = client.get(f"{BASE}/callbacks", headers=headers[who])
        assert listed.status_code == 200, who
        (entry,) = listed.json()
        assert entry["call_ids"] == ["c2"]
        assert entry["caller_number"] == (None if who in MASKED else NUMBER), who
    (audited,) = _entries(platform, "callback.list")
    assert (audited.actor, audited.samu_id, audited.detail) == ("arm.250", "250", {"callbacks": [1]})
    assert NUMBER not in json.dumps(audited.detail)


def _live_event(platform) -> None:
    """What the CTI route AffichageDossier emits: a file to show at a seat, with the caller's number."""
    data = {"file_id": "D1", "call_id": "c1", "num_tel": NUMBER}
    with platform.uow() as uow:
        uow.emit(LiveEvent("250", "cti.display_file", "P1", data=data))


@pytest.mark.timeout(60)
def test_live_events_carry_the_number_to_the_room_staff_only(platform, room):
    client, headers = room
    with (
        client.websocket_connect("/ws/live", headers=headers["arm.250"]) as arm,
        client.websocket_connect("/ws/live", headers=headers["crew.250"]) as crew,
        client.websocket_connect("/ws/live", headers=headers["national"]) as national,
    ):
        for ws in (arm, crew, national):
            assert ws.receive_json()["kind"] == "hello"
        _live_event(platform)
        assert arm.receive_json()["data"] == {"file_id": "D1", "call_id": "c1", "num_tel": NUMBER}
        for ws in (crew, national):
            assert ws.receive_json() == {
                "samu_id": "250",
                "kind": "cti.display_file",
                "id": "P1",
                "version": 0,
                "data": {"file_id": "D1", "call_id": "c1"},
            }
    (subscribed,) = _entries(platform, "live.subscribe")
    assert (subscribed.actor, subscribed.samu_id) == ("arm.250", "250")
