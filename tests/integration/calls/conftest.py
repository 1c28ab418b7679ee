"""Telephony fixtures: three SAMU rooms, a fake clock driving the platform."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from factories import add_samu
from sisamu.domain.clock import FakeClock

ROOMS = ("250", "680", "700")


@pytest.fixture
def clock(platform) -> FakeClock:
    fake = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    platform.clock = fake
    return fake


@pytest.fixture
def samus(platform) -> list[str]:
    with platform.uow() as uow:
        return [add_samu(uow, samu_id) for samu_id in ROOMS]
