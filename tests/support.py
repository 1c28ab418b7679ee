"""What any test module may import (`from support import …`; pytest puts `tests/` on the path for its conftest):
where the test data lives inside the repository, and how a test reports a service it cannot reach."""

from __future__ import annotations

import os
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
