"""The live feed's WebSocket (issue 12): its authentication does not block the event loop, an open socket closes
once its session or token ends (logout, revocation), and an account holds a bounded number of sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from factories import PASSWORD, add_account, add_samu
from sisamu.security import store
from sisamu.security.roles import Role
from sisamu.web.app import create_app

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]

RECHECK_S = 0.5


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={"live_recheck_s": RECHECK_S, "live_max_sockets_per_account": 2, "token_cache_s": 0.5}
    )


@pytest.fixture
def live_client(platform) -> Iterator[TestClient]:
    """The application with its live feed (LISTEN and the credentials re-check running)."""
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_account(uow, "arm.250", Role.ARM, "250", now=platform.clock.now())
    with TestClient(
        create_app(platform, services=[]), base_url="https://testserver", follow_redirects=False
    ) as c:
        yield c


def _session(client: TestClient) -> dict[str, str]:
    response = client.post("/login", data={"username": "arm.250", "password": PASSWORD})
    assert response.status_code == 303
    token = client.cookies["sisamu_session"]
    client.cookies.clear()
    headers = {"cookie": f"sisamu_session={token}"}
    headers["X-CSRF-Token"] = client.get("/api/me", headers=headers).json()["csrf_token"]
    return headers


def _closed_with(ws) -> int:
    """Read until the server closes the socket; its close code."""
    while True:
        try:
            ws.receive_text()
        except WebSocketDisconnect as closed:
            return closed.code


def test_logout_closes_the_open_socket(live_client):
    headers = _session(live_client)
    with live_client.websocket_connect("/ws/live", headers={"cookie": headers["cookie"]}) as ws:
        assert ws.receive_json()["kind"] == "hello"
        assert live_client.post("/logout", headers=headers).status_code == 303
        started = time.monotonic()
        assert _closed_with(ws) == 1008
        assert time.monotonic() - started < RECHECK_S * 6


def test_a_revoked_token_closes_its_socket(live_client):
    headers = _session(live_client)
    token = live_client.post("/api/me/tokens", json={"name": "wall"}, headers=headers).json()["token"]
    with live_client.websocket_connect("/ws/live", headers={"Authorization": f"Bearer {token}"}) as ws:
        assert ws.receive_json()["kind"] == "hello"
        token_id = live_client.get("/api/tokens", headers=headers).json()[0]["token_id"]
        assert live_client.delete(f"/api/tokens/{token_id}", headers=headers).status_code == 200
        assert _closed_with(ws) == 1008
    with (  # and it opens no new one
        pytest.raises(WebSocketDisconnect) as refused,
        live_client.websocket_connect("/ws/live", headers={"Authorization": f"Bearer {token}"}),
    ):
        pass
    assert refused.value.code == 4401


def test_sockets_per_account_are_bounded(live_client):
    cookie = {"cookie": _session(live_client)["cookie"]}
    with (
        live_client.websocket_connect("/ws/live", headers=cookie) as first,
        live_client.websocket_connect("/ws/live", headers=cookie) as second,
    ):
        assert first.receive_json()["kind"] == second.receive_json()["kind"] == "hello"
        with live_client.websocket_connect("/ws/live", headers=cookie) as third:
            assert _closed_with(third) == 4429
    with live_client.websocket_connect("/ws/live", headers=cookie) as again:  # the others closed: room again
        assert again.receive_json()["kind"] == "hello"


def test_authentication_does_not_block_the_event_loop(live_client, monkeypatch):
    """A slow database at a socket's authentication must not stall the other requests of the process."""
    cookie = {"cookie": _session(live_client)["cookie"]}
    slow = store.session_principal

    def session_principal(*args, **kwargs):
        time.sleep(2.0)
        return slow(*args, **kwargs)

    monkeypatch.setattr(store, "session_principal", session_principal)
    opened = threading.Event()

    def connect() -> None:
        with live_client.websocket_connect("/ws/live", headers=cookie) as ws:
            ws.receive_json()
            opened.set()

    connecting = threading.Thread(target=connect)
    connecting.start()
    time.sleep(0.3)  # the socket's authentication is under way
    started = time.monotonic()
    assert live_client.get("/healthz").status_code == 200
    answered_in = time.monotonic() - started
    connecting.join(timeout=30)
    assert opened.is_set()
    assert answered_in < 1.0, f"/healthz waited {answered_in:.1f} s behind a socket's authentication"
