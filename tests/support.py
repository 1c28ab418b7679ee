"""What any test module may import (`from support import …`; pytest puts `tests/` on the path for its conftest):
where the test data lives inside the repository, how a test reports a service it cannot reach, and a test
database's URL as its owner role."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

from sisamu.storage.embedded import OWNER_ROLE, role_url

DATA = Path(__file__).resolve().parent / "data"
"""Official reference files the tests read (see `data/PROVENANCE.md`): nothing is read outside the repository."""


def under_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing_service(reason: str) -> NoReturn:
    """RabbitMQ, Mosquitto or chromium is missing: skip on a developer's machine, fail under CI, which provides them."""
    if under_ci():
        pytest.fail(f"{reason} (CI=true: this service must be available)", pytrace=False)
    pytest.skip(reason)


BROKER = ("127.0.0.1", 5672)


def require_broker() -> None:
    """This machine's RabbitMQ (127.0.0.1:5672, guest/guest) must answer: skip, or fail under CI."""
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError as exc:
        missing_service(f"RabbitMQ unreachable on {BROKER[0]}:{BROKER[1]}: {exc}")


ROLE_PASSWORD = "sisamu-test"
"""The test roles' password, for a server (SISAMU_TEST_DATABASE_URL) that asks for one."""


def as_owner(url: str) -> str:
    """A test database's URL as its owner role (the fixtures run the platform as the application's role): for
    what only the owner may do — a test's own table, a schema change, tampering as a DBA would."""
    return role_url(url, OWNER_ROLE, ROLE_PASSWORD)


# The key that seals the TOTP secrets of the tests' accounts (an external database: no generated key file); the
# servers the tests start get it as SISAMU_TOTP_KEY.
TEST_TOTP_KEY = "0c6KtWYkN3k0mV0ycW2b1c4nZ7yJm6Ez3Fq3xWm1y0c="
