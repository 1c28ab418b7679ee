"""Processes of a production-like deployment: a local Hub Santé (`sisamu hub local`) and SAMU sites
(`sisamu run`), each site on a database of its own, driven over HTTP only."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from processes import ARTIFACTS, free_port, sisamu_command, stop, wait_ready
from sisamu.tenants.service import DEMO_PASSWORD


def eventually(check: Callable[[], Any], *, timeout: float = 30, what: str = "") -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not seen within {timeout} s: {what}")
        time.sleep(0.3)


class LocalHubProcess:
    """`sisamu hub local` for some Hub clients, in a vhost of its own (deleted when it stops)."""

    def __init__(self, clients: list[str], vhost: str, name: str) -> None:
        self.vhost = vhost
        self.log = ARTIFACTS / f"hub-local-{name}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        args = [*sisamu_command(), "hub", "local", "--vhost", vhost, "--cleanup"]
        for client in clients:
            args += ["--client", client]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"}
            )
        eventually(self._ready, timeout=60, what=f"local hub ready ({self.log})")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(
                f"sisamu hub local exited with {self.proc.returncode}:\n{self.log.read_text(errors='replace')}"
            )
        return "Hub local prêt" in self.log.read_text(errors="replace")

    def stop(self) -> None:
        stop(self.proc)


class Site:
    """`sisamu run` for one SAMU: the web application, its timers and the SAMU's Hub worker."""

    def __init__(self, samu_id: str, database_url: str, data_dir: Path, hub: LocalHubProcess) -> None:
        self.samu_id = samu_id
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / f"site-{samu_id}-{hub.vhost}.log"
        env = {
            **os.environ,
            "SISAMU_DATABASE_URL": database_url,
            "SISAMU_DATA_DIR": str(data_dir),
            "SISAMU_DEMO": "1",  # seeded with the demo accounts
            "SISAMU_SECRET_KEY": f"e2e-site-{samu_id}",
            "SISAMU_HUB_VHOST": hub.vhost,
            "SISAMU_HUB_SAMUS": samu_id,
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*sisamu_command(), "run", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_ready(self.base_url, self.proc, self.log)

    def stop(self) -> None:
        stop(self.proc)

    @contextmanager
    def session(self, username: str) -> Iterator[httpx.Client]:
        """A person logged in through the form: session cookie and CSRF header set on the client."""
        with httpx.Client(base_url=self.base_url, timeout=15, follow_redirects=False) as client:
            response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 303, response.text
            # The cookie is Secure: httpx would not send it back over http, so it travels as a plain header.
            token = response.cookies["sisamu_session"]
            client.cookies.clear()
            client.headers["cookie"] = f"sisamu_session={token}"
            me = client.get("/api/me")
            assert me.status_code == 200, me.text
            client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
            yield client
