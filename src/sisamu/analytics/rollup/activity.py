"""The regulation and SMUR hourly rollup (`activity_hour`): files counted in the hour they were opened, missions
in the hour they were created, from the cases' and resources' published facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sisamu.analytics.indicators import count_activity
from sisamu.analytics.rollup import hourly
from sisamu.analytics.rollup.hourly import HourlyRollup, PassDone, hour_of
from sisamu.analytics.tables import activity_hour
from sisamu.cases.queries import activity_facts, first_file_created_at
from sisamu.resources.queries import activity_missions, first_mission_created_at

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

SETTLE = timedelta(hours=12)  # a file decided, a SMUR back from its intervention


def _first_at(conn: Connection) -> datetime | None:
    found = [at for at in (first_file_created_at(conn), first_mission_created_at(conn)) if at is not None]
    return min(found, default=None)


def _rows(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, object]]:
    """One scan of the files in opening order, the range's missions held by hour (ten times fewer than files)."""
    missions: dict[datetime, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for mission in activity_missions(conn, start, end):
        missions[hour_of(mission["created_at"])][mission["samu_id"]].append(mission)

    def emit(hour: datetime, files: dict[str, list[dict[str, Any]]]) -> Iterator[dict[str, object]]:
        of_hour = missions.pop(hour, {})
        for samu_id in sorted(files.keys() | of_hour.keys()):
            counts = count_activity(files.get(samu_id, ()), of_hour.get(samu_id, ()))
            yield {"samu_id": samu_id, "hour": hour, **counts.as_row()}

    for hour, group in groupby(activity_facts(conn, start, end), key=lambda f: hour_of(f["created_at"])):
        for earlier in sorted(h for h in missions if h < hour):
            yield from emit(earlier, {})
        by_samu: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for file in group:
            by_samu[file["samu_id"]].append(file)
        yield from emit(hour, by_samu)
    for hour in sorted(missions):
        yield from emit(hour, {})


ACTIVITY = HourlyRollup("activity_hour", activity_hour, SETTLE, _first_at, _rows)


def catch_up(engine: Engine, *, now: datetime) -> PassDone:
    return hourly.catch_up(engine, ACTIVITY, now=now)


def rebuild(engine: Engine, *, now: datetime, progress: Callable[[int, int], None] | None = None) -> PassDone:
    return hourly.rebuild(engine, ACTIVITY, now=now, progress=progress)
