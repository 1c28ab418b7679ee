"""Issue 12, "Roles and grants": ending or transferring a call is for the ARM at the seat where it is talked, or a
supervisor of the SAMU — not any call handler (a physician ended an ARM's call). A callback's outcome is recorded
by the person who started the attempt, not by another call handler."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from bearers import bearers
from fastapi.testclient import TestClient

from sisamu.calls.distribution import service as calls
from sisamu.calls.flux import Flux
from sisamu.domain.clock import FakeClock
from sisamu.security.roles import Role
from sisamu.web.app import create_app

pytestmark = pytest.mark.db
BASE = "/api/samus/250/telephony"
PEOPLE = {
    "arm.250": Role.ARM,
    "arm2.250": Role.ARM,
    "regulator.250": Role.REGULATOR,
    "supervisor.250": Role.SUPERVISOR,
    "telephony_gateway.250": Role.TELEPHONY_GATEWAY,
}


class Room:
    def __init__(self, client: TestClient, headers: dict[str, dict[str, str]]) -> None:
        self.client, self.headers = client, headers

    def post(self, who: str, path: str, body: object = None):
        return self.client.post(f"{BASE}{path}", json=body, headers=self.headers[who])


@pytest.fixture
def room(platform) -> Iterator[Room]:
    """arm.250 at seat P1, regulator.250 at P2 (paused), arm2.250 at P3 (paused)."""
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    headers = bearers(platform, PEOPLE)
    with TestClient(create_app(platform, live=False, services=[]), base_url="https://testserver") as client:
        room = Room(client, headers)
        for who, seat in (("regulator.250", "P2"), ("arm2.250", "P3"), ("arm.250", "P1")):
            assert room.post(who, f"/seats/{seat}/login", {}).status_code == 200
            if seat != "P1":
                assert room.post(who, f"/seats/{seat}/pause", {"reason": "break"}).status_code == 200
        yield room


def _answered(room: Room) -> None:
    offered = room.post("telephony_gateway.250", "/calls", {"call_id": "c1", "caller_number": "0612345678"})
    assert offered.status_code == 201, offered.text
    answered = room.post("arm.250", "/seats/P1/answer")
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"


TRANSFER = {"target": "physician", "target_id": "regulator.250"}


@pytest.mark.parametrize("who", ["regulator.250", "arm2.250"])
def test_another_call_handler_cannot_end_or_transfer_the_arms_call(room, who):
    _answered(room)
    for path, body in (("/calls/c1/end", None), ("/calls/c1/transfer", TRANSFER)):
        refused = room.post(who, path, body)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "ACCES_REFUSE"
    assert room.post("arm.250", "/calls/c1/transfer", TRANSFER).json()["state"] == "transferred"


def test_the_arm_at_the_seat_or_a_supervisor_ends_it(room):
    _answered(room)
    ended = room.post("supervisor.250", "/calls/c1/end")
    assert (ended.status_code, ended.json()["state"]) == (200, "ended")


def test_a_callback_outcome_is_recorded_by_who_started_the_attempt(platform, room):
    now = platform.clock.now()
    with platform.uow() as uow:
        calls.offer(
            uow, principal=None, samu_id="250", call_id="lost", flux=Flux.CENTRE_15,
            caller_number="0698765432", now=now,
        )  # fmt: skip
    with platform.uow() as uow:
        calls.abandon(uow, principal=None, samu_id="250", call_id="lost", now=now + timedelta(seconds=60))
    (entry,) = room.client.get(f"{BASE}/callbacks", headers=room.headers["arm.250"]).json()
    started = room.post("arm.250", f"/callbacks/{entry['callback_id']}/start", {"seat_id": "P1"})
    assert started.status_code == 200, started.text
    outcome = {"outcome": "reached", "note": "rappel fait"}
    for who in ("regulator.250", "arm2.250"):
        refused = room.post(who, f"/callbacks/{entry['callback_id']}/outcome", outcome)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "RAPPEL_D_UN_AUTRE_POSTE"
    done = room.post("arm.250", f"/callbacks/{entry['callback_id']}/outcome", outcome)
    assert done.status_code == 200, done.text
