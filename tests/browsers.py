"""Fixtures of the tests that drive a browser (tests/e2e, tests/security): the real platform served by
`sisamu serve` in a subprocess, Debian's chromium, the folder of screenshots. A conftest imports them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from processes import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port, sisamu_command, stop, wait_ready
from support import TEST_TOTP_KEY, missing_service


@dataclass(frozen=True)
class Served:
    base_url: str
    log: Path


@pytest.fixture
def served(pilots_seeded, platform, database_url, tmp_path, request) -> Iterator[Served]:
    """`sisamu serve` on a free port, on this test's fresh database seeded with the pilots and demo accounts
    (cloned from the seeded template: `pilots_seeded`); more environment variables for the server with
    `@pytest.mark.parametrize("served", [{…}], indirect=True)`."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"serve-{request.node.name}.log"
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": database_url,
        "SISAMU_DATA_DIR": str(tmp_path / "var"),
        "SISAMU_DEMO": "1",  # seeded with the demo accounts
        "SISAMU_SECRET_KEY": "e2e-secret",
        "SISAMU_TOTP_KEY": TEST_TOTP_KEY,  # seals the second factors of the accounts a test creates
        **getattr(request, "param", {}),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*sisamu_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_ready(base_url, proc, log)
        yield Served(base_url, log)
    finally:
        # Ten seconds for a clean stop, then SIGKILL: uvicorn waits for the requests in hand, and a console's first
        # requests that load the gazetteer (seconds of CPU) often outlive the test that closed its browser; nothing
        # here checks the clean stop (tests/e2e/test_restart.py does).
        stop(proc, timeout=10)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Per module: Playwright's sync API runs an event loop in the main thread while it lives, which would break
    every asyncio test that runs after the browser tests if it stayed up for the whole session."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        missing_service(
            f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium); CI installs it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
