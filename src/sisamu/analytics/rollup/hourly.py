"""The hourly rollup engine: a table of additive counts per SAMU and hour, kept incrementally and rebuilt on
demand with the same function.

A pass recounts every hour from the first hour not yet final to now: the hours whose facts may still change within
the rollup's `settle` time; an hour older than that is final and never read again, so a pass reads only the last
hours of facts, whatever the history (no full scan for a dashboard). After a stop the next pass catches up from
where it was. `rebuild` recounts every hour from the first fact on record: both go through `recount`, which is what
makes them agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Table, cast, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sisamu.analytics.tables import analytics_state

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

HOUR = timedelta(hours=1)
DAYS_TZ = ZoneInfo("Europe/Paris")  # the days a daily rollup keeps (the dashboards' default time zone)
_INSERT_BATCH = 5_000  # rows (SAMU × hour) written per statement
_REBUILD_CHUNK = timedelta(days=1)  # a rebuild's transaction


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class HourlyRollup:
    name: str  # its line in `analytics_state`
    table: Table  # keyed by (samu_id, hour), with a `computed_at` column
    settle: timedelta  # a fact this old no longer changes
    first_at: Callable[[Connection], datetime | None]  # the oldest fact on record
    rows: Callable[[Connection, datetime, datetime], Iterator[dict[str, object]]]  # rows of [start, end)
    # Optional: the same counts summed per SAMU and Paris day (`day` column), kept from the hourly rows, so that
    # a year by day reads 365 rows per SAMU, not 8,760.
    daily: Table | None = None
    counted: tuple[str, ...] = ()
    hists: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class PassDone:
    hours: int
    rows: int
    through: datetime | None


def recount(conn: Connection, rollup: HourlyRollup, start: datetime, end: datetime, *, now: datetime) -> int:
    """Recount every hour of [start, end) (whole hours); returns the rows written (SAMU × hour)."""
    table = rollup.table
    conn.execute(delete(table).where(table.c.hour >= start, table.c.hour < end))
    batch: list[dict[str, object]] = []
    written = 0
    for row in rollup.rows(conn, start, end):
        batch.append({**row, "computed_at": now})
        if len(batch) >= _INSERT_BATCH:
            conn.execute(insert(table), batch)
            written, batch = written + len(batch), []
    if batch:
        conn.execute(insert(table), batch)
    if rollup.daily is not None:
        _refresh_days(conn, rollup, rollup.daily, start, end, now=now)
    return written + len(batch)


def _refresh_days(
    conn: Connection, rollup: HourlyRollup, daily: Table, start: datetime, end: datetime, *, now: datetime
) -> None:
    """Recount the Paris days that [start, end) touches from their hours (whole days, the final hours included)."""
    first, last = (
        start.astimezone(DAYS_TZ).date(),
        (end - timedelta(microseconds=1)).astimezone(DAYS_TZ).date(),
    )
    conn.execute(delete(daily).where(daily.c.day >= first, daily.c.day <= last))
    since = datetime.combine(first, datetime.min.time(), tzinfo=DAYS_TZ)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=DAYS_TZ)
    rows = [
        {"samu_id": samu_id, "day": at.date() if at is not None else first, **values, "computed_at": now}
        for samu_id, at, values in sums_by_period(
            conn, rollup.table, counted=rollup.counted, hists=rollup.hists or {}, samu_ids=None, since=since,
            until=until, grain="day", tz=DAYS_TZ.key, every=None,
        )
    ]  # fmt: skip
    for chunk in range(0, len(rows), _INSERT_BATCH):
        conn.execute(insert(daily), rows[chunk : chunk + _INSERT_BATCH])


def _hours_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start) / HOUR))


def _through(conn: Connection, name: str) -> datetime | None:
    return conn.execute(select(analytics_state.c.through).where(analytics_state.c.name == name)).scalar()


def _set_through(conn: Connection, name: str, through: datetime) -> None:
    statement = pg_insert(analytics_state).values(name=name, through=through)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"through": through}))


def _lock_key(name: str) -> int:
    """A stable 63-bit key for the rollup's advisory lock."""
    return int.from_bytes(hashlib.sha256(f"sisamu.rollup.{name}".encode()).digest()[:8], "big") >> 1


def _lead(conn: Connection, name: str) -> bool:
    """One instance at a time recounts a rollup (every `sisamu run`/`serve` runs the pass): the others skip it."""
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(_lock_key(name)))).scalar())


def catch_up(engine: Engine, rollup: HourlyRollup, *, now: datetime) -> PassDone:
    """One incremental pass, in one transaction: recount the hours not yet final up to now, then move `through`
    past those that are final."""
    end = hour_of(now) + HOUR
    final = hour_of(now - rollup.settle)
    with engine.begin() as conn:
        if not _lead(conn, rollup.name):
            return PassDone(0, 0, None)  # another instance is recounting these hours right now
        known = _through(conn, rollup.name)
        first = known or rollup.first_at(conn)
        if first is None:
            return PassDone(0, 0, None)
        start = hour_of(first)
        rows = recount(conn, rollup, start, end, now=now)
        through = max(final, start)
        _set_through(conn, rollup.name, through)
    return PassDone(_hours_between(start, end), rows, through)


def rebuild(
    engine: Engine,
    rollup: HourlyRollup,
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> PassDone:
    """Recount every hour from the first fact on record (after a change of definition or threshold), a day per
    transaction."""
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(_lock_key(rollup.name))))  # waits for a pass in hand
        conn.execute(delete(analytics_state).where(analytics_state.c.name == rollup.name))
        conn.execute(delete(rollup.table))
        if rollup.daily is not None:
            conn.execute(delete(rollup.daily))
        first = rollup.first_at(conn)
    if first is None:
        return PassDone(0, 0, None)
    start, end, final = hour_of(first), hour_of(now) + HOUR, hour_of(now - rollup.settle)
    total, rows, chunk = _hours_between(start, end), 0, start
    while chunk < end:
        chunk_end = min(chunk + _REBUILD_CHUNK, end)
        with engine.begin() as conn:
            rows += recount(conn, rollup, chunk, chunk_end, now=now)
            _set_through(conn, rollup.name, min(chunk_end, max(final, start)))
        chunk = chunk_end
        if progress is not None:
            progress(_hours_between(start, chunk), total)
    return PassDone(total, rows, max(final, start))


def _summed(
    c: Any,
    key: ColumnElement[Any],
    period: ColumnElement[Any],
    counted: Sequence[str],
    hists: Mapping[str, int],
) -> Any:
    sums = [func.sum(c[name]).label(name) for name in counted]
    bins = [func.sum(c[name][i + 1]).label(f"{name}__{i}") for name, n in hists.items() for i in range(n)]
    return select(key.label("samu_id"), period.label("period"), *sums, *bins)


def _decode(
    rows: Iterable[Any], counted: Sequence[str], hists: Mapping[str, int]
) -> Iterator[tuple[str, Any, dict[str, int | list[int]]]]:
    for samu_id, at, *summed in rows:
        numbers = [int(x or 0) for x in summed]
        values: dict[str, int | list[int]] = dict(zip(counted, numbers, strict=False))
        offset = len(counted)
        for name, n in hists.items():
            values[name] = numbers[offset : offset + n]
            offset += n
        yield samu_id, at, values


def sums_by_period(
    conn: Connection,
    table: Table,
    *,
    counted: Sequence[str],
    hists: Mapping[str, int],
    samu_ids: list[str] | None,
    since: datetime,
    until: datetime,
    grain: str,
    tz: str,
    every: str | None,
) -> Iterator[tuple[str, datetime | None, dict[str, int | list[int]]]]:
    """The rollup's counts summed in PostgreSQL per SAMU (or all as `every`) and period of [since, until): `grain`
    is hour, day, week, month (local to `tz`; the start of the local period, as a naive timestamp) or period (one
    for the whole range, None). Histograms are summed element by element (`hists`: column → buckets), so one scan
    answers a year of hours without sending the hours to Python."""
    c = table.c
    period: ColumnElement[Any]
    if grain == "hour":
        period = c.hour
    elif grain == "period":
        period = literal(None)
    else:
        period = func.date_trunc(grain, func.timezone(tz, c.hour))
    key = literal(every) if every is not None else c.samu_id
    query = _summed(c, key, period, counted, hists).where(c.hour >= since, c.hour < until)
    if samu_ids is not None:
        query = query.where(c.samu_id.in_(samu_ids))
    query = query.group_by(*([c.samu_id] if every is None else []), *([] if grain == "period" else [period]))
    yield from _decode(conn.execute(query), counted, hists)


def sums_by_day_period(
    conn: Connection,
    daily: Table,
    *,
    counted: Sequence[str],
    hists: Mapping[str, int],
    samu_ids: list[str] | None,
    start: date,
    end: date,
    grain: str,
    every: str | None,
) -> Iterator[tuple[str, datetime | None, dict[str, int | list[int]]]]:
    """As `sums_by_period`, from the Paris days [start, end] of the daily table (`grain`: day, week, month or
    period)."""
    c = daily.c
    period: ColumnElement[Any]
    period = literal(None) if grain == "period" else cast(func.date_trunc(grain, c.day), Date)
    key = literal(every) if every is not None else c.samu_id
    query = _summed(c, key, period, counted, hists).where(c.day >= start, c.day <= end)
    if samu_ids is not None:
        query = query.where(c.samu_id.in_(samu_ids))
    query = query.group_by(*([c.samu_id] if every is None else []), *([] if grain == "period" else [period]))
    yield from _decode(conn.execute(query), counted, hists)
