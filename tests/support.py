"""What any test module may import (`from support import …`; pytest puts `tests/` on the path for its conftest):
where the test data lives inside the repository, and how a test reports a service it cannot reach."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

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
