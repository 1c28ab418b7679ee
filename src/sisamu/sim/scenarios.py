"""Scenarios of the twin: rooms and their weights, load, staffing rule, and the overflow policies compared."""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from sisamu.calls.distribution.policy import OverflowAgreement, OverflowRules
from sisamu.sim.arrivals import CALLS_PER_YEAR, Distribution, Surge, rate_matrix, sample_calls
from sisamu.sim.engine import TwinSetup
from sisamu.sim.staffing import room_plan

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt

__all__ = [
    "POLICIES",
    "SCENARIOS",
    "Room",
    "Scenario",
    "build_setup",
    "equal_weights",
    "mutual_aid_rules",
    "rooms_from_departements",
    "rooms_from_registry",
    "scenario",
]

WEEK_H = 168
REFERENCE_INSTANT = datetime(2026, 1, 5, 12, tzinfo=UTC)  # a winter Monday: offsets to Paris without DST


# The gazetteer has no population municipale for Mayotte; INSEE's estimate on 1 January 2024 is ≈ 321,000.
MISSING_POPULATION = {"976": 321_000}


def _populations() -> dict[str, int]:
    from sisamu.geo import gazetteer

    found = gazetteer.departement_populations()
    return {**found, **{k: v for k, v in MISSING_POPULATION.items() if not found.get(k)}}


class RoomLike(Protocol):
    """What the twin reads from `sisamu.tenants.registry.RoomDef`."""

    @property
    def crra_id(self) -> str: ...
    @property
    def departement(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Room:
    crra_id: str
    departement: str
    weight: float  # share of the national calls, before normalisation (population)
    utc_offset_h: int = 0  # local time minus simulation (Paris) time, hours
    region: str = ""
    point: tuple[float, float] | None = None  # (lat, lon) to order mutual-aid partners by distance


def _offset_h(tz: str) -> int:
    paris = REFERENCE_INSTANT.astimezone(ZoneInfo("Europe/Paris")).utcoffset()
    local = REFERENCE_INSTANT.astimezone(ZoneInfo(tz)).utcoffset()
    assert paris is not None
    assert local is not None
    return round((local - paris).total_seconds() / 3600)


def rooms_from_registry(scope: str = "national") -> tuple[Room, ...]:
    """Rooms of `sisamu.tenants.registry`, weighted by département population from `sisamu.geo.gazetteer`.

    Weights are shares of the national population (a subset such as the pilots gets its share of the national
    volume only); a département with several rooms splits its population equally. Raises ImportError when either module is
    missing: the CLI must not fall back silently (tests use `equal_weights`).
    """
    from sisamu.geo import gazetteer

    registry = importlib.import_module("sisamu.tenants.registry")
    defs: Sequence[RoomLike] = registry.pilot_rooms() if scope == "pilots" else registry.national_rooms()
    populations = _populations()
    national = sum(populations.values())
    per_dept: dict[str, int] = {}
    for d in defs:
        per_dept[d.departement] = per_dept.get(d.departement, 0) + 1
    geo = {d.code: d for d in gazetteer.departements()}
    rooms = []
    for d in defs:
        dept = geo.get(d.departement)
        point = None
        if dept is not None:
            town = gazetteer.commune(dept.chef_lieu_insee)
            point = (town.lat, town.lon)
        rooms.append(
            Room(
                d.crra_id,
                d.departement,
                populations.get(d.departement, 0) / per_dept[d.departement] / national,
                _offset_h(d.timezone),
                dept.region if dept is not None else "",
                point,
            )
        )
    return tuple(rooms)


_OVERSEAS_TZ = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}


def rooms_from_departements() -> tuple[Room, ...]:
    """One room per département of `sisamu.geo.gazetteer` (101), population-weighted: an explicit stand-in for
    the registry (whose 102 rooms split some départements), chosen by the user, never a silent fallback."""
    from sisamu.geo import gazetteer

    populations = _populations()
    national = sum(populations.values())
    rooms = []
    for d in gazetteer.departements():
        town = gazetteer.commune(d.chef_lieu_insee)
        tz = _OVERSEAS_TZ.get(d.code, "Europe/Paris")
        rooms.append(
            Room(
                f"{d.code}0",
                d.code,
                populations.get(d.code, 0) / national,
                _offset_h(tz),
                d.region,
                (town.lat, town.lon),
            )
        )
    return tuple(rooms)


def equal_weights(count: int, prefix: str = "R") -> tuple[Room, ...]:
    """Synthetic rooms of equal size (tests, and the PERFORMANCE.md worked example)."""
    return tuple(Room(f"{prefix}{i:03d}", f"{i:02d}", 1.0, 0, f"G{i // 10}") for i in range(count))


def _distance(a: Room, b: Room) -> float:
    if a.point is None or b.point is None:
        return math.inf
    (la1, lo1), (la2, lo2) = a.point, b.point
    x = math.radians(lo2 - lo1) * math.cos(math.radians((la1 + la2) / 2))
    return math.hypot(x, math.radians(la2 - la1))


def mutual_aid_rules(
    rooms: Sequence[Room], wait_s: float, *, partners: int = 2, national: bool = False
) -> OverflowRules:
    """Each room overflows to its `partners` nearest rooms of the same region (list neighbours without points).

    Rooms alone in their region and in another time zone (overseas) get no partner. `national` adds national
    pooling after `wait_s`.
    """
    agreements: dict[str, OverflowAgreement] = {}
    for i, room in enumerate(rooms):
        same = [
            o
            for o in rooms
            if o is not room and o.region == room.region and o.utc_offset_h == room.utc_offset_h
        ]
        if room.point is not None:
            same.sort(key=lambda o: _distance(room, o))
        else:
            same.sort(key=lambda o: abs(rooms.index(o) - i))
        chosen = tuple(o.crra_id for o in same[:partners])
        if chosen:
            agreements[room.crra_id] = OverflowAgreement(room.crra_id, chosen, wait_s)
    return OverflowRules(agreements, national_pooling=national, pooling_wait_s=wait_s)


POLICIES: dict[str, tuple[float | None, bool]] = {
    "aucun débordement": (None, False),
    "débordement τ=30 s": (30.0, False),
    "débordement τ=10 s": (10.0, False),
    "mutualisation nationale τ=10 s": (10.0, True),
}


def policy_rules(rooms: Sequence[Room], name: str) -> OverflowRules:
    wait_s, national = POLICIES[name]
    if wait_s is None:
        return OverflowRules()
    return mutual_aid_rules(rooms, wait_s, national=national)


# Assumptions (docs/twin.md): ARM handling 90 s (PERFORMANCE.md worked example), lognormal CV 1; caller patience
# exponential, mean 120 s; physician regulation 500 s = 3,600 / 7.2 files an hour (DREES 2022), lognormal CV 1.
HANDLING = Distribution(90.0, "lognormal", 1.0)
PATIENCE = Distribution(120.0)
REGULATION = Distribution(500.0, "lognormal", 1.0)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Inputs of one run; the defaults are the national baseline (sources in docs/twin.md)."""

    name: str
    rooms: tuple[Room, ...]
    hours: int = WEEK_H
    calls_per_year: float = CALLS_PER_YEAR
    surges: tuple[Surge, ...] = ()
    handling: Distribution = HANDLING
    patience: Distribution = PATIENCE
    vital_share: float = 0.05
    physician_share: float = 0.6
    physician: Distribution = REGULATION
    staffing_target: float = 0.80  # baseline: head-counts planned for 80 % answered within 60 s (DREES 2022)
    staffing_within_s: float = 60.0
    policy: str = "débordement τ=30 s"
    flat: bool = False
    total_weight: float | None = None  # None: the rooms share the whole national volume
    arms: npt.NDArray[np.int64] | None = field(default=None, compare=False)

    @property
    def room_ids(self) -> tuple[str, ...]:
        return tuple(r.crra_id for r in self.rooms)

    def rates(self, *, with_surges: bool = True) -> npt.NDArray[np.float64]:
        return rate_matrix(
            self.room_ids,
            {r.crra_id: r.weight for r in self.rooms},
            self.hours,
            calls_per_year=self.calls_per_year,
            utc_offsets_h={r.crra_id: r.utc_offset_h for r in self.rooms},
            surges=self.surges if with_surges else (),
            flat=self.flat,
            total_weight=self.total_weight,
        )

    def planned_arms(self) -> npt.NDArray[np.int64]:
        """Head-counts planned on the usual load (a surge is not staffed for), unless given."""
        if self.arms is not None:
            return self.arms
        return room_plan(
            self.rates(with_surges=False),
            self.handling.mean_s,
            self.patience.mean_s,
            self.staffing_target,
            self.staffing_within_s,
        )

    def planned_physicians(self) -> npt.NDArray[np.int64]:
        """Physicians for ≈ 85 % occupancy on the usual load, at least one per room."""
        load = self.rates(with_surges=False) * self.physician_share * self.physician.mean_s
        return np.maximum(1, np.ceil(load / 0.85)).astype(np.int64)


SCENARIOS = ("national", "pilots", "covid", "heatwave")


def scenario(
    name: str,
    rooms: tuple[Room, ...],
    *,
    surge_rooms: Sequence[str] = (),
    factor: float = 0.0,
    total_weight: float | None = None,
) -> Scenario:
    """Named scenarios: `national`, `pilots`, `covid` (×3 for the week), `heatwave` (+factor, default 25 %).

    `total_weight` 1.0 gives rooms weighted by national population share (registry) only their share of the
    national volume (pilots); None lets the rooms share the whole volume.
    """
    base = Scenario(name, rooms, total_weight=total_weight)
    chosen = frozenset(surge_rooms) if surge_rooms else frozenset(r.crra_id for r in rooms)
    if name in ("national", "pilots"):
        return base
    if name == "covid":
        return replace(base, surges=(Surge(chosen, factor or 3.0),))
    if name == "heatwave":
        return replace(base, surges=(Surge(chosen, 1.0 + (factor or 0.25)),))
    raise ValueError(f"unknown scenario {name!r}")


def build_setup(
    sc: Scenario,
    seed: int,
    *,
    rules: OverflowRules | None = None,
    arms: npt.NDArray[np.int64] | None = None,
    physicians: bool = True,
) -> TwinSetup:
    rng = np.random.default_rng(seed)
    calls = sample_calls(
        sc.rates(),
        rng,
        handling=sc.handling,
        patience=sc.patience,
        vital_share=sc.vital_share,
        physician_share=sc.physician_share,
        physician=sc.physician,
        rooms=sc.room_ids,
    )
    return TwinSetup(
        rooms=sc.room_ids,
        calls=calls,
        arms=sc.planned_arms() if arms is None else arms,
        rules=policy_rules(sc.rooms, sc.policy) if rules is None else rules,
        physicians=sc.planned_physicians() if physicians else None,
        utc_offsets_h={r.crra_id: r.utc_offset_h for r in sc.rooms},
    )
