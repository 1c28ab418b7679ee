"""Security tests (issue 12): attacks on the running platform, one module per theme. The browser fixtures come
from `tests/browsers.py`; `consoles.py` drives a console the way its own script does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from browsers import Served, artifacts, chromium, served
from factories import add_account, add_samu
from sisamu.security import service, store
from sisamu.security.roles import Role
from sisamu.web.app import create_app

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
