"""The live feed delivers committed events to the consoles allowed to see them, and nothing rolled back."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from sisamu.domain.events import LiveEvent
from sisamu.security.roles import Principal, Role
from sisamu.web.live import LiveHub

pytestmark = pytest.mark.db


def _principal(role: Role, samu: str | None) -> Principal:
    return Principal(uuid.uuid4(), f"{role}.{samu}", "x", role, samu)


async def _next(queue: asyncio.Queue[str], wait_s: float = 5.0) -> str | None:
    try:
        return await asyncio.wait_for(queue.get(), wait_s)
    except TimeoutError:
        return None


def _abort_if(rollback: bool) -> None:
    if rollback:
        raise RuntimeError("abort")


async def test_committed_events_reach_allowed_consoles_only(platform):
    hub = LiveHub(platform.database.libpq_url)
    await hub.start()
    try:
        await asyncio.wait_for(hub.listening.wait(), 10)
        mine = hub.subscribe(_principal(Role.ARM, "250"))
        other = hub.subscribe(_principal(Role.ARM, "680"))
        national = hub.subscribe(_principal(Role.NATIONAL, None))

        def write(rollback: bool, object_id: str) -> None:
            uow = platform.uow()
            with contextlib.suppress(RuntimeError), uow:
                uow.emit(LiveEvent(samu_id="250", kind="test.event", object_id=object_id))
                _abort_if(rollback)

        await asyncio.to_thread(write, True, "rolled-back")
        await asyncio.to_thread(write, False, "committed")
        received = await _next(mine.queue)
        assert received is not None
        assert '"committed"' in received
        assert '"committed"' in (await _next(national.queue) or "")
        assert await _next(other.queue, wait_s=0.5) is None
        assert mine.queue.empty(), "the rolled-back event must never be delivered"
    finally:
        await hub.stop()


@pytest.mark.timeout(60)
def test_websocket_console_receives_room_instruction(login, accounts):
    supervisor = login("supervisor.250")
    outsider = login("supervisor.680")
    with (
        supervisor.websocket_connect("/ws/live") as ws,
        outsider.websocket_connect("/ws/live") as ws_other,
    ):
        assert ws.receive_json()["kind"] == "hello"
        assert ws_other.receive_json()["kind"] == "hello"
        created = supervisor.post("/api/samus/250/instructions", json={"body": "Ouverture du débordement"})
        assert created.status_code == 201
        event = ws.receive_json()
        assert event == {
            "samu_id": "250",
            "kind": "room.instruction",
            "id": str(created.json()["note_id"]),
            "version": 0,
        }
        # The outsider's feed carries its own room's events only: post one there and it is the next thing it sees.
        outsider.post("/api/samus/680/instructions", json={"body": "RAS"})
        assert ws_other.receive_json()["samu_id"] == "680"


def test_websocket_from_another_origin_is_refused(login, accounts):
    from starlette.testclient import WebSocketDenialResponse
    from starlette.websockets import WebSocketDisconnect

    supervisor = login("supervisor.250")
    with (
        pytest.raises((WebSocketDisconnect, WebSocketDenialResponse)),
        supervisor.websocket_connect("/ws/live", headers={"Origin": "https://evil.example"}) as ws,
    ):
        ws.receive_json()


@pytest.mark.timeout(60)
def test_closed_console_is_unsubscribed(app, login, accounts):
    import time

    arm = login("arm.250")
    hub = app.state.live_hub
    with arm.websocket_connect("/ws/live") as ws:
        assert ws.receive_json()["kind"] == "hello"
        assert hub.subscriber_count == 1
    deadline = time.monotonic() + 5
    while hub.subscriber_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.subscriber_count == 0
