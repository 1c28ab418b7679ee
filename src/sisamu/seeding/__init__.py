"""Seeding a platform: rooms, hospitals, SMUR bases, demo units and accounts — shared by `sisamu seed` and
`sisamu demo`. It calls each feature's seeding service in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sisamu.geo import gazetteer
from sisamu.hospitals import service as hospitals
from sisamu.hospitals.capacity import service as capacity
from sisamu.hospitals.directory import all_hospitals
from sisamu.platform import Platform
from sisamu.resources.seeding import link_demo_crews, seed_demo_resources
from sisamu.tenants import registry, service

STEPS = ("gazetteer", "rooms", "hospitals", "accounts")


@dataclass(frozen=True, slots=True)
class SeedReport:
    rooms: int
    hospitals: int
    smur_bases: int
    demo_accounts_created: int
    demo_accounts: list[service.DemoAccount]


def seed(
    platform: Platform, scope: str, *, demo_accounts: bool = False, step: Callable[[str], None] | None = None
) -> SeedReport:
    """Load the pilot rooms (`pilots`) or one room per département (`national`), idempotently."""
    say = step or (lambda _: None)
    pilots = registry.pilot_rooms()
    rooms = pilots if scope == "pilots" else registry.national_rooms()
    say("gazetteer")
    points = {}
    for room in rooms:
        city = gazetteer.commune(room.city_insee)
        points[room.crra_id] = (city.lat, city.lon)
    now = platform.clock.now()
    with platform.uow() as uow:
        say("rooms")
        n_rooms = service.upsert_rooms(uow, rooms, pilot_ids={r.crra_id for r in pilots}, now=now)
        say("hospitals")
        n_hospitals, n_bases = hospitals.upsert_hospitals(uow, all_hospitals(), rooms, points)
        seed_demo_resources(uow, pilots, now=now)  # demo units of the pilot rooms (SMUR at bases, TSU, VSAV)
        accounts = service.demo_accounts(r.crra_id for r in rooms) if demo_accounts else []
        say("accounts")
        created = service.upsert_demo_accounts(uow, accounts, now=now) if accounts else 0
        if (
            accounts
        ):  # each demo hospital account speaks for its SAMU's first hospital; each crew on a SMUR car
            capacity.attach_demo_accounts(uow, [r.crra_id for r in rooms])
            link_demo_crews(uow, pilots, now=now)
    return SeedReport(n_rooms, n_hospitals, n_bases, created, accounts)
