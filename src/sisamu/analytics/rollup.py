"""Hourly rollups of the call indicators, kept incrementally and rebuilt on demand with the same function.

A pass recounts every hour from the first hour not yet final to now: the hours whose calls may still change
(answered, hung up) within `settle`; an hour older than that is final and never read again, so a pass reads only
the last few hours of calls, whatever the history (no full scan for a dashboard). After a stop the next pass
catches up from where it was. `rebuild` recounts every hour from the first call on record: both go through
`recount`, which is what makes them agree.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sisamu.analytics.indicators import Counts, count
from sisamu.analytics.tables import analytics_state, call_hour
from sisamu.calls.queries import CallFact, call_facts, first_call_offered_at
from sisamu.platform.services import PeriodicPass

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from sisamu.platform import Platform

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
SETTLE = timedelta(hours=2)  # a call offered this long ago has been answered or has hung up
_STATE = "call_hour"


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def recount(conn: Connection, hour: datetime, *, lost_threshold_s: float, now: datetime) -> int:
    """Recount one hour for every SAMU with calls in it (owned or served); returns the rows written."""
    by_samu: dict[str, list[CallFact]] = defaultdict(list)
    for fact in call_facts(conn, hour, hour + HOUR):
        by_samu[fact.samu_id].append(fact)
        if fact.handling_samu_id != fact.samu_id:
            by_samu[fact.handling_samu_id].append(fact)
    conn.execute(delete(call_hour).where(call_hour.c.hour == hour))
    rows = [
        {"samu_id": samu_id, "hour": hour, **count(samu_id, facts, lost_threshold_s=lost_threshold_s).as_row(),
         "lost_threshold_s": lost_threshold_s, "computed_at": now}
        for samu_id, facts in sorted(by_samu.items())
    ]  # fmt: skip
    if rows:
        conn.execute(insert(call_hour), rows)
    return len(rows)


def _hours(start: datetime, end: datetime) -> Iterator[datetime]:
    hour = hour_of(start)
    while hour < end:
        yield hour
        hour += HOUR


@dataclass(frozen=True, slots=True)
class PassDone:
    hours: int
    rows: int
    through: datetime | None


def _through(conn: Connection) -> datetime | None:
    return conn.execute(select(analytics_state.c.through).where(analytics_state.c.name == _STATE)).scalar()


def _set_through(conn: Connection, through: datetime) -> None:
    statement = pg_insert(analytics_state).values(name=_STATE, through=through)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"through": through}))


def catch_up(engine: Engine, *, now: datetime, lost_threshold_s: float) -> PassDone:
    """One incremental pass: recount the hours not yet final, one transaction per hour, then move `through`."""
    with engine.connect() as conn:
        start = _through(conn) or first_call_offered_at(conn)
    if start is None:
        return PassDone(0, 0, None)
    final = hour_of(now - SETTLE)
    hours = rows = 0
    for hour in _hours(start, now):
        with engine.begin() as conn:
            rows += recount(conn, hour, lost_threshold_s=lost_threshold_s, now=now)
            if hour < final:
                _set_through(conn, hour + HOUR)
        hours += 1
    return PassDone(hours, rows, max(final, hour_of(start)))


def rebuild(
    engine: Engine,
    *,
    now: datetime,
    lost_threshold_s: float,
    progress: Callable[[int, int], None] | None = None,
) -> PassDone:
    """Recount every hour from the first call on record (after a change of definition or threshold)."""
    with engine.begin() as conn:
        conn.execute(delete(analytics_state).where(analytics_state.c.name == _STATE))
        conn.execute(delete(call_hour))
        first = first_call_offered_at(conn)
    if first is None:
        return PassDone(0, 0, None)
    hours = list(_hours(first, now))
    rows = 0
    final = hour_of(now - SETTLE)
    for done, hour in enumerate(hours, 1):
        with engine.begin() as conn:
            rows += recount(conn, hour, lost_threshold_s=lost_threshold_s, now=now)
            if hour < final:
                _set_through(conn, hour + HOUR)
        if progress is not None:
            progress(done, len(hours))
    return PassDone(len(hours), rows, final)


def counts_by_hour(
    conn: Connection, samu_ids: list[str] | None, start: datetime, end: datetime
) -> Iterator[tuple[str, datetime, Counts]]:
    """The rolled-up counts of the SAMUs named (None: all) for the hours in [start, end)."""
    h = call_hour.c
    query = select(call_hour).where(h.hour >= start, h.hour < end).order_by(h.hour, h.samu_id)
    if samu_ids is not None:
        query = query.where(h.samu_id.in_(samu_ids))
    for row in conn.execute(query):
        counts = Counts(**{k: getattr(row, k) for k in Counts.__dataclass_fields__ if k != "wait_hist"})
        counts.wait_hist = list(row.wait_hist)
        yield row.samu_id, row.hour, counts


class RollupWorker(PeriodicPass):
    """The incremental pass in the background of `sisamu run` / `serve`."""

    def __init__(self, platform: Platform) -> None:
        settings = platform.settings
        super().__init__(
            "indicators-rollup",
            lambda: catch_up(
                platform.engine, now=platform.clock.now(), lost_threshold_s=settings.lost_call_threshold_s
            ),
            interval_s=settings.indicators_interval_s,
            enabled=settings.timers_enabled,
        )

    def report(self, done: PassDone) -> None:
        if done.rows:
            log.debug(
                "indicators: %d hours recounted (%d rows), final through %s",
                done.hours,
                done.rows,
                done.through,
            )
