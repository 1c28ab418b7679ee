"""Regulation-file fixtures: two SAMU rooms and people of each role (principals, no login needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from factories import add_samu
from sisamu.domain.clock import FakeClock
from sisamu.security.roles import Principal, Role

ROOMS = ("250", "680")


@pytest.fixture
def clock(platform) -> FakeClock:
    fake = FakeClock(datetime(2026, 1, 25, 10, 0, tzinfo=UTC))
    platform.clock = fake
    return fake


@pytest.fixture
def rooms(platform) -> tuple[str, ...]:
    with platform.uow() as uow:
        for samu_id in ROOMS:
            add_samu(uow, samu_id)
    return ROOMS


def person(role: Role, samu_id: str | None = "250", name: str | None = None) -> Principal:
    label = name or f"{role}.{samu_id}"
    return Principal(uuid.uuid4(), label, label, role, samu_id)


@pytest.fixture
def staff(rooms) -> dict[str, Principal]:
    made = {
        f"{r}.{s}": person(r, s)
        for s in ROOMS
        for r in (Role.ARM, Role.REGULATOR, Role.SUPERVISOR, Role.CREW)
    }
    made["regulator2.250"] = person(Role.REGULATOR, "250", "regulator2.250")
    made["national"] = person(Role.NATIONAL, None)
    made["analyst"] = person(Role.ANALYST, None)
    return made
