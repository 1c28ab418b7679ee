"""The indicators of a scope and period, from the hourly rollups: grouped by hour, day, week or month (days in the
time zone asked for), per SAMU or summed over the scope. Calls (`call_indicators`), regulation files and SMUR
missions (`activity_indicators`)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sisamu.analytics.indicators import (
    ACTIVITY_INDICATORS,
    INDICATORS,
    ActivityCounts,
    Counts,
    Indicator,
    activity_indicators,
    indicators,
)
from sisamu.analytics.indicators.activity import ACTIVITY_COUNTED, ACTIVITY_HIST_BUCKETS
from sisamu.analytics.indicators.calls import COUNTED, WAIT_BUCKETS
from sisamu.analytics.rollup.hourly import DAYS_TZ, sums_by_day_period, sums_by_period
from sisamu.analytics.tables import activity_hour, call_day, call_hour
from sisamu.geo.gazetteer import Region, departement_populations, regions
from sisamu.security.access import authorize
from sisamu.security.errors import Refused
from sisamu.security.roles import Permission, Principal
from sisamu.tenants.registry import national_rooms, room, rooms_of

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

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


def bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end] as local days → the UTC instants of the first and the day after the last midnight."""
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class _Shape(Generic[C]):
    """What a rollup table holds: its additive counts, its histograms (column → buckets), and the counts object
    built from one summed row."""

    definitions: tuple[Indicator, ...]
    hourly: Table
    daily: Table | None  # by Paris day, when the rollup keeps one
    counted: tuple[str, ...]
    hists: Mapping[str, int]
    build: Callable[[dict[str, Any]], C]

    def hists_for(self, only: frozenset[str] | None) -> dict[str, int]:
        """The histograms the indicators asked for are read from (all when none are named)."""
        needed = {i.hist for i in self.definitions if i.hist and (only is None or i.key in only)}
        return {name: n for name, n in self.hists.items() if name in needed}


_CALLS = _Shape(
    INDICATORS, call_hour, call_day, COUNTED, {"wait_hist": WAIT_BUCKETS}, lambda values: Counts(**values)
)
_ACTIVITY = _Shape(
    ACTIVITY_INDICATORS, activity_hour, None, ACTIVITY_COUNTED, ACTIVITY_HIST_BUCKETS,
    lambda values: ActivityCounts(**values),
)  # fmt: skip


def check_only(definitions: tuple[Indicator, ...], keys: list[str]) -> frozenset[str] | None:
    """The indicators a request names (None: all); an unknown one is refused."""
    if not keys:
        return None
    known = {i.key for i in definitions}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise Refused("INDICATEUR_INCONNU", f"Indicateur inconnu : {', '.join(unknown)}.", status=422)
    return frozenset(keys)


def _label(period: datetime | date | None, grain: Grain, start: date) -> str:
    """The ISO name of a period as PostgreSQL grouped it: the UTC hour, or the local day that starts it."""
    if period is None:
        return start.isoformat()
    if isinstance(period, datetime):
        return period.astimezone(UTC).isoformat() if grain is Grain.HOUR else period.date().isoformat()
    return period.isoformat()


def _points(
    conn: Connection,
    shape: _Shape[C],
    compute: Callable[[C, str], dict[str, float | int | None]],
    *,
    scope: list[str] | None,
    start: date,
    end: date,
    grain: Grain,
    zone: ZoneInfo,
    total: bool,
    only: frozenset[str] | None,
) -> list[Point]:
    """Each period's (and SAMU's) counts summed by PostgreSQL from the hourly rollup `table`, then turned into
    indicators (those in `only`, or all). A histogram is summed only when an indicator asked for reads it: a
    year of QS60 by room and day sums a few counts, not 121 buckets per hour."""
    every, hists = ALL_SAMUS if total else None, shape.hists_for(only)
    rows: Iterable[tuple[str, datetime | date | None, dict[str, Any]]]
    if shape.daily is not None and grain is not Grain.HOUR and zone.key == DAYS_TZ.key:
        rows = sums_by_day_period(
            conn, shape.daily, counted=shape.counted, hists=hists, samu_ids=scope, start=start, end=end,
            grain=grain.value, every=every,
        )  # fmt: skip
    else:
        since, until = bounds(start, end, zone)
        rows = sums_by_period(
            conn, shape.hourly, counted=shape.counted, hists=hists, samu_ids=scope, since=since, until=until,
            grain=grain.value, tz=zone.key, every=every,
        )  # fmt: skip

    def kept(values: dict[str, float | int | None]) -> dict[str, float | int | None]:
        return values if only is None else {key: value for key, value in values.items() if key in only}

    points = [
        Point(_label(period, grain, start), samu_id, kept(compute(shape.build(values), samu_id)))
        for samu_id, period, values in rows
    ]
    return sorted(points, key=lambda p: (p.period, p.samu_id))


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
    only: frozenset[str] | None = None,
) -> list[Point]:
    return _points(
        conn, _CALLS, lambda counts, _: indicators(counts),
        scope=scope_of(principal, samu_ids), start=start, end=end, grain=grain, zone=zone, total=total,
        only=only,
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
    only: frozenset[str] | None = None,
) -> list[Point]:
    """Regulation and SMUR indicators; files per 100 inhabitants over the population each point covers."""
    scope = scope_of(principal, samu_ids)

    def served(samu_id: str) -> int | None:
        if samu_id != ALL_SAMUS:
            return population([samu_id])
        return population(scope)

    return _points(
        conn, _ACTIVITY, lambda counts, samu_id: activity_indicators(counts, served(samu_id)),
        scope=scope, start=start, end=end, grain=grain, zone=zone, total=total, only=only,
    )  # fmt: skip
