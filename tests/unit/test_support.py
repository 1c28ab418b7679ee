"""A missing service (RabbitMQ, Mosquitto, chromium) skips a test on a developer's machine and fails it under CI."""

from __future__ import annotations

import pytest

from support import missing_service


def test_a_missing_service_skips_outside_ci(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="RabbitMQ unreachable"):
        missing_service("RabbitMQ unreachable")


def test_a_missing_service_fails_under_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Mosquitto unreachable"):
        missing_service("Mosquitto unreachable")
