"""The indicators of a scope and period, from the hourly rollups: grouped by hour, day, week or month (days in the
time zone asked for), per SAMU or summed over the scope. Calls (`call_indicators`), regulation files and SMUR
missions (`activity_indicators`)."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo

from sisamu.analytics.indicators import ActivityCounts, Counts, activity_indicators, indicators
from sisamu.analytics.rollup import counts_by_hour
from sisamu.analytics.rollup.activity import activity_by_hour
from sisamu.geo.gazetteer import Region, departement_populations, regions
from sisamu.security.access import authorize
from sisamu.security.errors import Refused
from sisamu.security.roles import Permission, Principal
from sisamu.tenants.registry import national_rooms, room, rooms_of

if TYPE_CHECKING:
    from sqlalchemy import Connection

ALL_SAMUS = "*"


class Grain(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    PERIOD = "period"  # one point for the whole period asked (comparing SAMUs)


@dataclass(frozen=True, slots=True)
class Point:
    period: (
        str  # ISO: the hour (UTC) or the local day, the Monday of the week, the first of the month, the start
    )
    samu_id: str  # ALL_SAMUS when summed over the scope
    values: dict[str, float | int | None]


def region_samus(code: str) -> tuple[Region, list[str]]:
    """A region (INSEE code) and the SAMU rooms of its départements."""
    found = next((region for region in regions() if region.code == code), None)
    if found is None:
        raise Refused("REGION_INCONNUE", f"Région inconnue : {code}.", status=422)
    return found, [room.crra_id for room in national_rooms() if room.departement in found.departements]


def scope_of(principal: Principal, samu_ids: list[str]) -> list[str] | None:
    """The SAMUs a request may read: those named, each checked (role × tenant); none named: every SAMU for a
    nationwide role (None), else the principal's own."""
    if samu_ids:
        for samu_id in samu_ids:
            authorize(principal, Permission.INDICATORS, samu_id)
        return samu_ids
    authorize(principal, Permission.INDICATORS, None if principal.nationwide else principal.samu_id)
    return None if principal.nationwide else [str(principal.samu_id)]


def _period(hour: datetime, grain: Grain, zone: ZoneInfo, start: date) -> str:
    if grain is Grain.HOUR:
        return hour.isoformat()
    if grain is Grain.PERIOD:
        return start.isoformat()
    day = hour.astimezone(zone).date()
    if grain is Grain.WEEK:
        day -= timedelta(days=day.weekday())
    elif grain is Grain.MONTH:
        day = day.replace(day=1)
    return day.isoformat()


def bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end] as local days → the UTC instants of the first and the day after the last midnight."""
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


class _Additive(Protocol):
    def add(self, other: Self) -> Self: ...


C = TypeVar("C", bound=_Additive)


def _points(
    rows: Iterable[tuple[str, datetime, C]],
    empty: Callable[[], C],
    compute: Callable[[C, str], dict[str, float | int | None]],
    *,
    grain: Grain,
    zone: ZoneInfo,
    start: date,
    total: bool,
) -> list[Point]:
    buckets: dict[tuple[str, str], C] = defaultdict(empty)
    for samu_id, hour, counts in rows:
        key = (_period(hour, grain, zone, start), ALL_SAMUS if total else samu_id)
        buckets[key].add(counts)
    return [
        Point(period, samu_id, compute(counts, samu_id))
        for (period, samu_id), counts in sorted(buckets.items())
    ]


def call_indicators(
    conn: Connection,
    principal: Principal,
    *,
    samu_ids: list[str],
    start: date,
    end: date,
    grain: Grain,
    zone: ZoneInfo,
    total: bool,
) -> list[Point]:
    scope = scope_of(principal, samu_ids)
    since, until = bounds(start, end, zone)
    return _points(
        counts_by_hour(conn, scope, since, until),
        Counts,
        lambda counts, _: indicators(counts),
        grain=grain, zone=zone, start=start, total=total,
    )  # fmt: skip


def population(samu_ids: list[str] | None) -> int | None:
    """The population municipale (INSEE) a set of SAMUs serves (None: the nation); a département with two rooms
    gives each half. None when a SAMU is not one of the national rooms."""
    populations = departement_populations()
    if samu_ids is None:
        return sum(populations.values())
    served = 0.0
    for samu_id in samu_ids:
        try:
            departement = room(samu_id).departement
        except KeyError:
            return None
        served += populations.get(departement, 0) / len(rooms_of(departement))
    return round(served)


def activity_indicators_of(
    conn: Connection,
    principal: Principal,
    *,
    samu_ids: list[str],
    start: date,
    end: date,
    grain: Grain,
    zone: ZoneInfo,
    total: bool,
) -> list[Point]:
    """Regulation and SMUR indicators; files per 100 inhabitants over the population each point covers."""
    scope = scope_of(principal, samu_ids)
    since, until = bounds(start, end, zone)
    rows = list(activity_by_hour(conn, scope, since, until))

    def served(samu_id: str) -> int | None:
        if samu_id != ALL_SAMUS:
            return population([samu_id])
        return population(scope)

    return _points(
        rows,
        ActivityCounts,
        lambda counts, samu_id: activity_indicators(counts, served(samu_id)),
        grain=grain, zone=zone, start=start, total=total,
    )  # fmt: skip
