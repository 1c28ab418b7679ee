"""`sisamu load` against the real server: `sisamu serve` on a fresh database seeded with the pilots, accounts made
by `sisamu load setup`, ~10 s of calls; what the load generator counted must be what the database holds."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sisamu.calls.tables import phone_call
from sisamu.cases.tables import case_file

pytestmark = [pytest.mark.db, pytest.mark.slow]
SAMUS = ("250", "680")


def _sisamu() -> list[str]:
    script = Path(sys.executable).parent / "sisamu"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from sisamu.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(platform, database_url: str, tmp_path: Path) -> Iterator[str]:
    """`sisamu serve` (timers worker on) on this test's database, seeded with the pilot rooms."""
    from sisamu.seeding import seed

    seed(platform, "pilots")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path / "var"),
        "SISAMU_SECRET_KEY": "load-test-secret",
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_sisamu(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server not ready:\n{log.read_text(errors='replace')[-4000:]}")
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == httpx.codes.OK:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_sisamu(), "load", *args], capture_output=True, text=True, timeout=180, check=False
    )


def test_load_run_reconciles_with_the_database(served: str, platform, database_url: str, tmp_path: Path):
    tokens = tmp_path / "tokens.json"
    samus = [arg for samu_id in SAMUS for arg in ("--samu", samu_id)]
    setup = _load("setup", database_url, *samus, "--arms", "2", "--url", served, "--out", str(tokens))
    assert setup.returncode == 0, setup.stderr
    document = json.loads(tokens.read_text())
    assert set(document["samus"]) == set(SAMUS)
    assert all(len(entry["arms"]) == 2 for entry in document["samus"].values())

    run = _load(
        "run", "--url", served, "--tokens", str(tokens), "--duration", "10", "--rate", "7200",
        "--talk", "2", "--patience", "6", "--max-error-rate", "0", "--json",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads(run.stdout)

    with platform.engine.connect() as conn:
        calls = conn.execute(
            select(phone_call.c.call_id, phone_call.c.state, phone_call.c.answered_at).where(
                phone_call.c.call_id.like("load-%")
            )
        ).all()
        files = conn.execute(select(case_file.c.call_id).where(case_file.c.call_id.like("load-%"))).all()
    states = Counter(row.state for row in calls)
    answered_ids = {row.call_id for row in calls if row.answered_at is not None}
    assert summary["offered"] == len(calls) > 10, json.dumps(summary)
    assert summary["answered"] == len(answered_ids) > 0
    assert summary["abandoned"] == states["abandoned"]
    assert set(states) <= {"ended", "abandoned"}  # nobody left waiting or talking once the run is over
    assert {row.call_id for row in files} == answered_ids  # every answered call has its file
    assert summary["files_opened"] == len(files)
    assert summary["server_errors"] == 0
    assert not [code for code in summary["statuses"] if code.startswith("5")]
    assert summary["errors"] == 0, summary["errors_by_operation"]
    assert {"offer", "answer", "file_open", "file_qualify", "end", "seats"} <= set(summary["latency"])


def test_refuses_a_remote_target_without_allow_remote():
    refused = _load("run", "--url", "http://192.0.2.10:8000", "--gateway-token", "250=x", "--samu", "250")
    assert refused.returncode == 2
    assert "production" in refused.stderr
