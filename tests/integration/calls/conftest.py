"""Telephony fixtures: three SAMU rooms, a fake clock driving the platform."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sisamu.domain.clock import FakeClock
from sisamu.storage.tables import samu

ROOMS = {
    "250": ("fr.health.samu250", "25", "Besançon", "25056"),
    "680": ("fr.health.samu680", "68", "Mulhouse", "68224"),
    "700": ("fr.health.samu700", "70", "Vesoul", "70550"),
}


@pytest.fixture
def clock(platform) -> FakeClock:
    fake = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    platform.clock = fake
    return fake


@pytest.fixture
def samus(platform) -> list[str]:
    with platform.uow() as uow:
        for samu_id, (hub, dep, name, insee) in ROOMS.items():
            uow.execute(
                samu.insert().values(
                    samu_id=samu_id,
                    hub_id=hub,
                    departement=dep,
                    name=name,
                    city_insee=insee,
                    timezone="Europe/Paris",
                )
            )
    return list(ROOMS)
