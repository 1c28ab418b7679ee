"""Durability of `sisamu demo` on its embedded PostgreSQL: a clean stop (Ctrl-C) and a restart keep the data; a
SIGKILL in the middle of a stream of writes loses none of those already acknowledged, and the next start copes
with the PostgreSQL server the killed process left running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from processes import ARTIFACTS, free_port, sisamu_command, stop, wait_ready
from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.db]

MAX_WRITES = (
    45  # fewer than the 50 instructions the API lists, so that every acknowledged one can be looked up
)


def _postgres_of(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and any(str(pgdata) in part for part in cmdline):
            found.append(proc)
    return found


class Demo:
    """`sisamu demo` in a subprocess on a data folder of its own."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.log = ARTIFACTS / "restart-demo-0.log"

    def start(self) -> None:
        self.runs += 1
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = ARTIFACTS / f"restart-demo-{self.runs}.log"
        env = {k: v for k, v in os.environ.items() if k != "SISAMU_DATABASE_URL"}
        # no voice node: its fixed demo ports (5070, 5071) would meet other tests' (tests/e2e/test_voice_run.py)
        env |= {"SISAMU_DATA_DIR": str(self.data_dir), "COLUMNS": "200", "SISAMU_VOICE_ENABLED": "0"}
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [*sisamu_command(), "demo", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_ready(self.base_url, self.proc, self.log, timeout=180)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        assert self.proc is not None
        code = stop(self.proc, sig, timeout=60)
        return code, self.log.read_text(errors="replace")

    @contextmanager
    def session(self, username: str) -> Iterator[httpx.Client]:
        """Log in through the form; cookie and CSRF header set on the client."""
        with httpx.Client(base_url=self.base_url, timeout=10, follow_redirects=False) as client:
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


@pytest.fixture
def demo() -> Iterator[Demo]:
    # Not under pytest's tmp root (private to root): the embedded server runs as another user when root.
    folder = Path(tempfile.mkdtemp(prefix="sisamu-restart-"))
    folder.chmod(0o755)
    demo = Demo(folder / "var")
    try:
        yield demo
    finally:
        if demo.proc is not None and demo.proc.poll() is None:
            demo.proc.kill()
            demo.proc.wait(timeout=10)
        for proc in _postgres_of(demo.data_dir / "pgdata"):  # whatever a killed demo left behind
            proc.kill()
        psutil.wait_procs(_postgres_of(demo.data_dir / "pgdata"), timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _instructions(client: httpx.Client) -> list[str]:
    response = client.get("/api/samus/250/instructions")
    assert response.status_code == 200, response.text
    return [item["body"] for item in response.json()]


def test_clean_stop_and_restart_keep_the_data(demo):
    demo.start()
    with demo.session("supervisor.250") as supervisor:
        posted = supervisor.post("/api/samus/250/instructions", json={"body": "Consigne avant arrêt propre"})
        assert posted.status_code == 201, posted.text
    code, output = demo.stop(signal.SIGINT)
    assert code in {0, 130}, output[-3000:]  # 130: the conventional status after Ctrl-C
    assert "Arrêt propre" in output
    assert _postgres_of(demo.data_dir / "pgdata") == []  # the embedded server was stopped too

    demo.start()
    with demo.session("arm.250") as arm:
        assert "Consigne avant arrêt propre" in _instructions(arm)
    code, output = demo.stop(signal.SIGINT)
    assert code in {0, 130}
    assert "Arrêt propre" in output


def test_sigkill_loses_nothing_committed(demo):
    demo.start()
    acknowledged: list[str] = []
    stop_writing = threading.Event()

    def write() -> None:
        with demo.session("supervisor.250") as supervisor:
            n = 0
            while not stop_writing.is_set() and n < MAX_WRITES:
                n += 1
                body = f"Consigne {n} avant SIGKILL"
                try:
                    response = supervisor.post("/api/samus/250/instructions", json={"body": body})
                except httpx.HTTPError:
                    return  # the server died mid-request: this one was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(body)

    writer = threading.Thread(target=write, name="writer")
    writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    demo.stop(signal.SIGKILL)  # while the writer is still sending
    stop_writing.set()
    writer.join(timeout=30)
    assert len(acknowledged) >= 10
    assert _postgres_of(demo.data_dir / "pgdata"), "expected the killed demo to leave its PostgreSQL running"

    demo.start()  # joins (or restarts) the orphaned server
    with demo.session("arm.250") as arm:
        response = arm.get("/api/samus/250/instructions")
        assert response.status_code == 200
        present = {item["body"] for item in response.json()}
    missing = [body for body in acknowledged if body not in present]
    assert not missing, f"acknowledged writes lost: {missing}"
    code, output = demo.stop(signal.SIGINT)
    assert code in {0, 130}, output[-3000:]  # 130: the conventional status after Ctrl-C
    assert "Arrêt propre" in output
    assert _postgres_of(demo.data_dir / "pgdata") == [], (
        "the restarted demo did not stop the server it joined"
    )
