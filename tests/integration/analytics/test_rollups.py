"""Hourly rollups on real PostgreSQL: kept incrementally from the calls, equal to a rebuild from the raw calls, and
final hours never read again."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from factories import add_samu
from sisamu.analytics import rollup
from sisamu.analytics.indicators.calls import COUNTED, WAIT_BUCKETS
from sisamu.analytics.rollup.hourly import sums_by_day_period, sums_by_period
from sisamu.analytics.tables import call_day, call_hour
from sisamu.calls.tables import phone_call

pytestmark = pytest.mark.db

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
THRESHOLD = 15.0


def _call(conn, call_id: str, offered: datetime, *, samu="250", handler=None, answer_s=None, hang_up_s=None):
    conn.execute(
        sa.insert(phone_call).values(
            samu_id=samu,
            call_id=call_id,
            handling_samu_id=handler or samu,
            flux="15",
            priority="PX",
            state="ended" if answer_s is not None else ("abandoned" if hang_up_s is not None else "queued"),
            offered_at=offered,
            answered_at=None if answer_s is None else offered + timedelta(seconds=answer_s),
            abandoned_at=None if hang_up_s is None else offered + timedelta(seconds=hang_up_s),
            updated_at=offered,
        )
    )


@pytest.fixture
def history(platform):
    """Calls over the last five hours in 250 and 680, one overflowed from 250 to 680, one still waiting."""
    with platform.engine.begin() as conn:
        for samu_id in ("250", "680"):
            add_samu(conn, samu_id)
        for hours_ago in range(5):
            at = NOW - timedelta(hours=hours_ago, minutes=10)
            _call(conn, f"a{hours_ago}", at, answer_s=10 + 20 * hours_ago)
            _call(conn, f"b{hours_ago}", at, hang_up_s=30)
            _call(conn, f"c{hours_ago}", at, samu="680", answer_s=5)
        _call(conn, "ovf", NOW - timedelta(minutes=20), handler="680", answer_s=40)
        _call(conn, "wait", NOW - timedelta(minutes=1))


def _rows(platform) -> list[tuple]:
    with platform.engine.connect() as conn:
        return [
            tuple(row)[:-1]  # all but computed_at
            for row in conn.execute(sa.select(call_hour).order_by(call_hour.c.hour, call_hour.c.samu_id))
        ]


def test_an_incremental_pass_equals_a_rebuild_from_the_raw_calls(platform, history):
    done = rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    assert done.hours == 5
    incremental = _rows(platform)
    rollup.rebuild(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    assert _rows(platform) == incremental
    this_hour = {row[0]: row for row in incremental if row[1] == rollup.hour_of(NOW)}
    columns = [c.name for c in call_hour.columns]
    mine = dict(zip(columns, this_hour["250"], strict=False))
    assert (mine["offered"], mine["answered"], mine["lost"], mine["overflow_out"]) == (4, 2, 1, 1)
    theirs = dict(zip(columns, this_hour["680"], strict=False))
    assert (theirs["offered"], theirs["overflow_in"]) == (1, 1)


def test_a_call_answered_later_is_counted_by_the_next_pass_and_final_hours_are_not_read_again(
    platform, history
):
    rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    later = NOW + timedelta(minutes=5)
    with platform.engine.begin() as conn:
        conn.execute(
            sa.update(phone_call)
            .where(phone_call.c.call_id == "wait")
            .values(state="ended", answered_at=later, updated_at=later)
        )
        # An hour final since the first pass: changing its calls no longer moves its rollup.
        conn.execute(
            sa.update(phone_call)
            .where(phone_call.c.call_id == "b4")
            .values(abandoned_at=None, state="queued")
        )
    done = rollup.catch_up(platform.engine, now=later, lost_threshold_s=THRESHOLD)
    assert done.hours <= 3  # the hours still settling, not the history
    with platform.engine.connect() as conn:
        row = conn.execute(
            sa.select(call_hour).where(call_hour.c.samu_id == "250", call_hour.c.hour == rollup.hour_of(NOW))
        ).one()
        old = conn.execute(
            sa.select(call_hour).where(
                call_hour.c.samu_id == "250", call_hour.c.hour == rollup.hour_of(NOW - timedelta(hours=4))
            )
        ).one()
    assert row.answered == 3  # the waiting call, answered 6 minutes after its offer
    assert row.wait_hist[360 // 5] == 1  # a 6 min wait, in its 5 s bucket
    assert old.abandoned == 1  # final: the pass did not recount it


def test_a_pass_after_a_stop_catches_up_every_hour_missed(platform, history):
    rollup.catch_up(platform.engine, now=NOW - timedelta(hours=4), lost_threshold_s=THRESHOLD)
    done = rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    assert done.hours >= 4
    caught_up = _rows(platform)
    rollup.rebuild(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    assert _rows(platform) == caught_up


def test_no_call_no_rollup(platform):
    assert rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD).hours == 0
    assert _rows(platform) == []


def test_instances_passing_at_once_leave_one_consistent_rollup(platform, history):
    """Every `sisamu run`/`serve` runs the pass: at once, one recounts and the others skip, none fails."""
    barrier = threading.Barrier(6)

    def one_pass() -> rollup.PassDone:
        barrier.wait()
        return rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)

    with ThreadPoolExecutor(max_workers=6) as pool:
        done = list(pool.map(lambda _: one_pass(), range(6)))
    assert sum(d.hours for d in done) >= 5  # at least one pass recounted the five hours
    together = _rows(platform)
    rollup.rebuild(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    assert _rows(platform) == together


@pytest.mark.parametrize("grain", ["day", "week", "month", "period"])
def test_the_days_kept_equal_the_hours_summed_in_paris_time(platform, history, grain):
    rollup.catch_up(platform.engine, now=NOW, lost_threshold_s=THRESHOLD)
    day = NOW.date()
    since = datetime(day.year, day.month, day.day, tzinfo=PARIS) - timedelta(days=1)
    shape = {"counted": COUNTED, "hists": {"wait_hist": WAIT_BUCKETS}, "samu_ids": None, "grain": grain}
    with platform.engine.connect() as conn:
        from_days = sorted(
            (samu, str(at)[:10], values)
            for samu, at, values in sums_by_day_period(
                conn, call_day, start=since.date(), end=day, every=None, **shape
            )
        )
        from_hours = sorted(
            (samu, str(at)[:10], values)
            for samu, at, values in sums_by_period(
                conn, call_hour, since=since, until=since + timedelta(days=2), tz="Europe/Paris", every=None,
                **shape,
            )
        )  # fmt: skip
    assert from_days == from_hours
    assert sum(values["offered"] for _, _, values in from_days) == 17  # every call of the history
