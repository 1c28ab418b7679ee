"""Security tests (issue 12): attacks on the running platform, one module per theme. The browser fixtures come
from `tests/browsers.py`; `consoles.py` drives a console the way its own script does."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from browsers import Served, artifacts, chromium, served
from factories import add_account, add_samu
from processes import ARTIFACTS, free_port, sisamu_command, stop, wait_ready
from sisamu.security import service, store
from sisamu.security.roles import Role
from sisamu.web.app import create_app
from support import TEST_TOTP_KEY

__all__ = ["Served", "artifacts", "chromium", "served"]


@pytest.fixture
def app(platform):
    """The web application of this test's platform (no live feed, no background service)."""
    return create_app(platform, live=False, services=[])


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


@pytest.fixture
def supervisor_token(platform) -> str:
    """A bearer token of SAMU 250's supervisor."""
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_account(uow, "supervisor.250", Role.SUPERVISOR, "250", now=platform.clock.now())
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, "supervisor.250"))
    with platform.uow() as uow:
        return service.issue_token(uow, principal=principal, name="security", now=platform.clock.now())


@dataclass
class Server:
    """`sisamu serve` (or `run`) in a subprocess on this test's database."""

    base_url: str
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture
def start_server(database_url, tmp_path, request) -> Iterator[Callable[..., Server]]:
    """start_server(*args, env={...}, wait=True) → a running `sisamu serve` on a free port (stopped at the end);
    with `wait=False`, the process is returned as soon as it starts (to watch it refuse to start)."""
    started: list[subprocess.Popen[bytes]] = []

    def _start(
        *args: str, env: dict[str, str] | None = None, command: str = "serve", wait: bool = True
    ) -> Server:
        port = free_port()
        ARTIFACTS.mkdir(exist_ok=True)
        log = ARTIFACTS / f"{command}-{request.node.name}-{len(started)}.log"
        full_env = {
            **os.environ,
            "SISAMU_DATABASE_URL": database_url,
            "SISAMU_DATA_DIR": str(tmp_path / "var"),
            "SISAMU_SECRET_KEY": "security-secret",
            "SISAMU_TOTP_KEY": TEST_TOTP_KEY,
            "SISAMU_HUB_SAMUS": "",
            **(env or {}),
        }
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*sisamu_command(), command, "--host", "127.0.0.1", "--port", str(port), *args],
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(proc)
        base_url = f"http://127.0.0.1:{port}"
        if wait:
            wait_ready(base_url, proc, log)
        return Server(base_url, log, proc)

    yield _start
    for proc in started:
        if proc.poll() is None:
            stop(proc)
