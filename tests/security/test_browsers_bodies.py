"""Request bodies (issue 12, Browsers): an invalid credential is answered 401 before the body is read, and a body
larger than `max_body_bytes` is answered 413 before anything parses it.

Before the fix, `Authorization: Bearer junk` with a huge body had the body read and parsed first (then 422). Over
real HTTP against the application served by uvicorn: the requests below announce a body and then send none, or
only part of it, so an answer proves that the server did not wait for the body.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from factories import PASSWORD, add_account
from processes import free_port
from sisamu.platform.http import SESSION_COOKIE
from sisamu.security.roles import Role
from sisamu.web.app import create_app

pytestmark = pytest.mark.db

LIMIT = 1024 * 1024  # the default of `max_body_bytes`
PATH = "/api/samus/250/instructions"


@pytest.fixture
def server(platform, supervisor_token) -> Iterator[str]:
    """The application served by uvicorn on a free port of 127.0.0.1, in a thread; its base URL."""
    port = free_port()
    app = create_app(platform, live=False, services=[])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, name="sisamu-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=20)


def _raw(
    base_url: str, head: str, chunks: list[bytes] | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    """Send a request head (and `chunks` of body, maybe not all of it), return the status and the head of the
    answer as soon as it arrives."""
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        for chunk in chunks or []:
            sock.sendall(chunk)
        answer = b""
        while b"\r\n\r\n" not in answer:
            received = sock.recv(65536)
            if not received:
                break
            answer += received
    return int(answer.split(b" ", 2)[1]), answer


def _head(headers: str, length: int | None = None) -> str:
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return f"POST {PATH} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\n{framing}\n{headers}\n"


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.parametrize(
    "credential",
    ["Authorization: Bearer junk", f"Cookie: {SESSION_COOKIE}=junk", "Accept: application/json"],
    ids=["junk-bearer", "junk-session", "none"],
)
def test_an_invalid_credential_is_refused_before_the_body_is_read(server, credential):
    status, answer = _raw(server, _head(credential, length=100 * LIMIT))  # 100 MiB announced, none sent
    assert status == 401, answer
    assert b"www-authenticate: bearer" in answer.lower()


def test_a_huge_body_with_a_junk_bearer_is_answered_401_quickly(server):
    started = time.monotonic()
    response = httpx.post(
        server + PATH, content=b"[" * (20 * LIMIT), headers={"authorization": "Bearer junk"}, timeout=30
    )
    assert response.status_code == 401
    assert response.json()["detail"]
    assert time.monotonic() - started < 10


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(server, supervisor_token):
    status, answer = _raw(server, _head(f"Authorization: Bearer {supervisor_token}", length=100 * LIMIT))
    assert status == 413, answer


def test_a_chunked_body_is_refused_once_it_exceeds_the_limit(server, supervisor_token):
    # 1.5 MiB sent, the last chunk never: the answer comes once the limit is crossed, not at the end of the body.
    chunks = [_chunk(b" " * 65536) for _ in range(24)]
    status, answer = _raw(server, _head(f"Authorization: Bearer {supervisor_token}"), chunks)
    assert status == 413, answer


def test_bodies_up_to_the_limit_still_reach_the_route(server, platform, supervisor_token):
    assert platform.settings.max_body_bytes == LIMIT  # the default
    headers = {"authorization": f"Bearer {supervisor_token}", "content-type": "application/json"}
    body = b'{"body": "consigne"}'
    at_limit = body + b" " * (LIMIT - len(body))
    assert httpx.post(server + PATH, content=at_limit, headers=headers).status_code == 201
    assert httpx.post(server + PATH, content=at_limit + b" ", headers=headers).status_code == 413

    def stream():  # chunked: no length announced
        yield b'{"body": '
        yield b'"consigne en morceaux"}'

    assert httpx.post(server + PATH, content=stream(), headers=headers).status_code == 201
    listed = httpx.get(server + PATH, headers=headers).json()
    assert [i["body"] for i in listed] == ["consigne en morceaux", "consigne"]


def test_the_gate_keeps_the_session_rules(server, platform, supervisor_token):
    """What the gate resolves is what the route would have: a cookie write needs the session's CSRF token."""
    with platform.uow() as uow:
        add_account(uow, "supervisor.250b", Role.SUPERVISOR, "250", now=platform.clock.now())
    with httpx.Client(base_url=server) as browser:
        login = browser.post("/login", data={"username": "supervisor.250b", "password": PASSWORD})
        assert login.status_code == 303
        session = login.cookies[SESSION_COOKIE]
        cookie = {"cookie": f"{SESSION_COOKIE}={session}"}
        csrf = httpx.get(server + "/api/me", headers=cookie).json()["csrf_token"]
    body = {"body": "consigne"}
    assert httpx.post(server + PATH, json=body, headers=cookie).status_code == 403
    assert (
        httpx.post(server + PATH, json=body, headers={**cookie, "x-csrf-token": "wrong"}).status_code == 403
    )
    assert httpx.post(server + PATH, json=body, headers={**cookie, "x-csrf-token": csrf}).status_code == 201
    with platform.engine.begin() as conn:  # the session ends: the very next request is refused
        conn.exec_driver_sql("UPDATE web_session SET expires_at = now() - interval '1 second'")
    assert httpx.get(server + PATH, headers=cookie).status_code == 401
