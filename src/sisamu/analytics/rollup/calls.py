"""The calls' hourly rollup (`call_hour`): one scan of the calls in offer order, each hour's calls counted for
the SAMU that owns them and, after an overflow, for the SAMU that served them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sisamu.analytics.indicators import Counts, count
from sisamu.analytics.indicators.calls import COUNTED, WAIT_BUCKETS
from sisamu.analytics.rollup import hourly
from sisamu.analytics.rollup.hourly import HourlyRollup, PassDone, hour_of
from sisamu.analytics.tables import call_day, call_hour
from sisamu.calls.queries import CallFact, call_facts, first_call_offered_at

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

SETTLE = timedelta(hours=2)  # a call offered this long ago has been answered or has hung up


def rollup_of_calls(lost_threshold_s: float) -> HourlyRollup:
    def rows(conn: Connection, start: datetime, end: datetime) -> Iterator[dict[str, object]]:
        hour: datetime | None = None
        by_samu: dict[str, list[CallFact]] = defaultdict(list)

        def close_hour() -> Iterator[dict[str, object]]:
            for samu_id, facts in sorted(by_samu.items()):
                counts = count(samu_id, facts, lost_threshold_s=lost_threshold_s)
                yield {
                    "samu_id": samu_id,
                    "hour": hour,
                    **counts.as_row(),
                    "lost_threshold_s": lost_threshold_s,
                }
            by_samu.clear()

        for fact in call_facts(conn, start, end):
            offered_hour = hour_of(fact.offered_at)
            if offered_hour != hour:
                yield from close_hour()
                hour = offered_hour
            by_samu[fact.samu_id].append(fact)
            if fact.handling_samu_id != fact.samu_id:
                by_samu[fact.handling_samu_id].append(fact)
        yield from close_hour()

    return HourlyRollup(
        "call_hour", call_hour, SETTLE, first_call_offered_at, rows,
        daily=call_day, counted=COUNTED, hists={"wait_hist": WAIT_BUCKETS},
    )  # fmt: skip


def recount(
    conn: Connection, start: datetime, end: datetime, *, lost_threshold_s: float, now: datetime
) -> int:
    return hourly.recount(conn, rollup_of_calls(lost_threshold_s), start, end, now=now)


def catch_up(engine: Engine, *, now: datetime, lost_threshold_s: float) -> PassDone:
    return hourly.catch_up(engine, rollup_of_calls(lost_threshold_s), now=now)


def rebuild(
    engine: Engine,
    *,
    now: datetime,
    lost_threshold_s: float,
    progress: Callable[[int, int], None] | None = None,
) -> PassDone:
    return hourly.rebuild(engine, rollup_of_calls(lost_threshold_s), now=now, progress=progress)


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
