"""Demo accounts (published password, no second factor, a national admin) never serve production (issue 12):
`sisamu serve` and `sisamu run` refuse a database holding them unless told it is a demonstration, and `sisamu
demo` refuses to plant them in an external database unless told explicitly."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest
from sqlalchemy import func, select

from factories import add_account, add_samu
from processes import sisamu_command
from sisamu.security.roles import Role
from sisamu.storage.tables import account
from sisamu.tenants.service import DEMO_PASSWORD

pytestmark = pytest.mark.db


@pytest.fixture
def demo_admin(platform) -> str:
    """A demo account as `sisamu seed --demo-accounts` makes them: the national admin, demo password."""
    with platform.uow() as uow:
        add_samu(uow, "250")
        add_account(
            uow, "admin", Role.ADMIN, None, now=platform.clock.now(), password=DEMO_PASSWORD, demo=True
        )
    return "admin"


@pytest.mark.parametrize("command", ["serve", "run"])
def test_serve_and_run_refuse_a_database_with_demo_accounts(start_server, demo_admin, command):
    server = start_server(command=command, wait=False)
    assert server.proc.wait(timeout=120) == 2
    log = server.log.read_text(errors="replace")
    assert "refusing to start: the database holds 1 demo accounts (admin…)" in log
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/readyz", timeout=2)


def test_a_demonstration_platform_says_so(start_server, demo_admin):
    for server in (start_server("--demo"), start_server(env={"SISAMU_DEMO": "1"})):
        response = httpx.post(
            f"{server.base_url}/login", data={"username": "admin", "password": DEMO_PASSWORD}, timeout=15
        )
        assert response.status_code == 303


def test_a_platform_without_demo_accounts_starts(start_server, platform):
    with platform.uow() as uow:
        add_account(uow, "admin", Role.ADMIN, None, now=platform.clock.now())
    server = start_server()
    assert httpx.get(f"{server.base_url}/readyz", timeout=5).status_code == 200


def test_sisamu_demo_refuses_an_external_database(platform, database_url, tmp_path):
    env = {**os.environ, "SISAMU_DATABASE_URL": database_url, "SISAMU_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [*sisamu_command(), "demo", "--no-simulator"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to run the demo on the external database" in done.stderr
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).where(account.c.demo)).scalar_one() == 0
