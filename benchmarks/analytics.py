"""Activity indicators and the research warehouse at national scale, each beside its floor.

One fresh database (an embedded PostgreSQL in a temporary folder, or a new database on the server named by
SISAMU_DATABASE_URL) gets the 102 national rooms and `--weeks` weeks of the synthetic national year (the twin,
31 M calls a year by default, streamed week by week with COPY: `sisamu simulate year`). Then:

- `rebuild_s`: the hourly rollups recounted from every call (`sisamu indicators rebuild`).
- `qs60_by_room_day_s`: QS60 by room and day over the whole period, read from the rollups as the API does
  (`analytics.service.call_indicators`, by day, per SAMU, `indicator=qs60_pct`; median of `--runs`). Its floor, `raw_sql_s`: the same
  figures computed by one SQL aggregate over the raw calls (GROUP BY room and Paris day). Both must agree on every
  room and day, else the benchmark fails.
- `dashboard_p99_ms`: the queries one supervisor's and one national dashboard make (7 days by day, the period's
  quantiles, 28 days by hour for the heatmap, the SAMUs compared), `--runs` × 10 times each.
- `rollup_lag_ms`: one incremental pass in steady state, right after the last week is loaded (it recounts the
  hours not yet final: what a call waits, beyond the pass interval, to show on the dashboards).
- `export_s`: `sisamu research export` of the whole period (pseudonyms, generalisation until k = 5, Parquet,
  manifest), in a child process whose peak memory is reported (`export_peak_rss_mb`). Its floor,
  `export_floor_s`: the same calls streamed from PostgreSQL (COPY) into a Parquet file with pyarrow, nothing else.

Usage: python benchmarks/analytics.py [--weeks 52] [--calls-per-year 31000000] [--runs 3] [--seed 1]
Progress on stderr, figures on stdout, last line
`calls=… export_s=… export_floor_s=… export_ratio=… qs60_by_room_day_s=… raw_sql_s=… raw_over_rollup=…
dashboard_p99_ms=… rollup_lag_ms=… export_peak_rss_mb=…`. Targets (issue 17): QS60 by room and day over the year
≤ 2 s, the dashboard's queries ≤ 200 ms, export memory bounded.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
from floors.databases import fresh_database

from sisamu import migrations as migrate
from sisamu.analytics import rollup
from sisamu.analytics.research import export as exporting
from sisamu.analytics.research.pseudonyms import Pseudonymiser
from sisamu.analytics.service import Grain, bounds, call_indicators
from sisamu.bootstrap import build_platform
from sisamu.calls import history
from sisamu.config import Settings
from sisamu.platform import Platform
from sisamu.security.roles import Principal, Role
from sisamu.seeding import seed
from sisamu.sim.scenarios import rooms_from_registry, scenario
from sisamu.sim.year import year
from sisamu.storage.database import Database, libpq_url

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
THRESHOLD_S = 15.0
ANALYST = Principal(uuid.uuid4(), "bench-analyst", "bench-analyst", Role.ANALYST, None)
SUPERVISOR = Principal(uuid.uuid4(), "bench-supervisor", "bench-supervisor", Role.SUPERVISOR, "250")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def load_year(platform: Platform, weeks: int, calls_per_year: float, seed_: int) -> int:
    sc = replace(scenario("national", rooms_from_registry("national")), calls_per_year=calls_per_year)

    def load(calls: Any) -> int:
        with platform.engine.begin() as conn:
            return history.load(conn, calls)

    return year(
        sc, start=START, weeks=weeks, seed=seed_, load=load,
        progress=lambda done, n: say(f"  week {done}/{weeks}: {n:,} calls"),
    )  # fmt: skip


RAW_QS60 = """
SELECT samu_id, (offered_at AT TIME ZONE 'Europe/Paris')::date AS day,
       count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at - offered_at <= interval '60 seconds') AS a60,
       count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
       count(*) FILTER (WHERE answered_at IS NULL AND abandoned_at IS NOT NULL
                        AND abandoned_at - offered_at >= make_interval(secs => %(threshold)s)) AS lost
FROM phone_call GROUP BY 1, 2
"""


def raw_qs60(url: str) -> dict[tuple[str, str], float | None]:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(RAW_QS60, {"threshold": THRESHOLD_S}).fetchall()
    return {
        (samu, day.isoformat()): round(100.0 * a60 / (answered + lost), 2) if answered + lost else None
        for samu, day, a60, answered, lost in rows
    }


def rollup_qs60(platform: Platform, first: date, last: date) -> dict[tuple[str, str], float | None]:
    with platform.engine.connect() as conn:
        points = call_indicators(
            conn, ANALYST, samu_ids=[], start=first, end=last, grain=Grain.DAY, zone=PARIS, total=False,
            only=frozenset({"qs60_pct"}),
        )  # fmt: skip
    return {(p.samu_id, p.period): p.values["qs60_pct"] for p in points}  # type: ignore[misc]


def dashboard_queries(platform: Platform, today: date) -> list[float]:
    """The queries of a supervisor's and a national dashboard opened on `today` (ms each)."""
    week_ago, month_ago = today - timedelta(days=6), today - timedelta(days=27)
    heat = frozenset({"offered", "answered", "answered_60", "lost"})  # what the heatmap asks for
    asks = [
        (SUPERVISOR, ["250"], week_ago, Grain.DAY, True, None),
        (SUPERVISOR, ["250"], week_ago, Grain.PERIOD, True, None),
        (SUPERVISOR, ["250"], month_ago, Grain.HOUR, True, heat),
        (ANALYST, [], week_ago, Grain.DAY, True, None),
        (ANALYST, [], week_ago, Grain.PERIOD, False, None),
        (ANALYST, [], month_ago, Grain.HOUR, True, heat),
    ]
    took = []
    with platform.engine.connect() as conn:
        for principal, samus, start, grain, total, only in asks:
            elapsed, _ = timed(
                lambda p=principal, s=samus, a=start, g=grain, t=total, o=only: call_indicators(
                    conn, p, samu_ids=s, start=a, end=today, grain=g, zone=PARIS, total=t, only=o
                )
            )
            took.append(elapsed * 1000)
    return took


def _export_child(url: str, first: date, last: date, out: str, queue: Any) -> None:
    platform = build_platform(Settings(database_url=url, secret_key="bench"), database=Database(url=url))
    try:
        elapsed, done = timed(
            lambda: exporting.export(
                platform.engine, start=first, end=last, out_dir=Path(out), pseudonymiser=Pseudonymiser(b"k" * 32),
                k=5, now=datetime.now(UTC), operator="benchmark",
            )
        )  # fmt: skip
        queue.put((elapsed, done.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    finally:
        platform.close()


def export_in_child(url: str, first: date, last: date, out: Path) -> tuple[float, dict[str, int], float]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_export_child, args=(url, first, last, str(out), queue))
    child.start()
    result = queue.get()
    child.join()
    return result  # type: ignore[no-any-return]


FLOOR_COLUMNS = ("samu_id", "handling_samu_id", "flux", "offered_at", "answered_at", "abandoned_at")


def export_floor(url: str, out: Path, first: date, last: date) -> int:
    """The calls of the same Paris days streamed out of PostgreSQL with COPY and written as Parquet, in batches."""
    since, until = bounds(first, last, PARIS)
    schema = pa.schema(
        [
            (name, pa.string()) if "at" not in name else (name, pa.timestamp("us", tz="UTC"))
            for name in FLOOR_COLUMNS
        ]
    )
    rows = 0
    with (
        psycopg.connect(libpq_url(url)) as conn,
        conn.cursor() as cursor,
        pq.ParquetWriter(out, schema) as writer,
        cursor.copy(
            f"COPY (SELECT {', '.join(FLOOR_COLUMNS)} FROM phone_call WHERE offered_at >= %s AND offered_at < %s) "
            "TO STDOUT (FORMAT BINARY)",
            (since, until),
        ) as copy,
    ):
        copy.set_types(["varchar", "varchar", "varchar", "timestamptz", "timestamptz", "timestamptz"])
        batch: list[tuple[Any, ...]] = []
        for row in copy.rows():
            batch.append(row)
            if len(batch) == 100_000:
                writer.write_table(
                    pa.Table.from_pylist([dict(zip(FLOOR_COLUMNS, r, strict=True)) for r in batch], schema)
                )
                rows, batch = rows + len(batch), []
        if batch:
            writer.write_table(
                pa.Table.from_pylist([dict(zip(FLOOR_COLUMNS, r, strict=True)) for r in batch], schema)
            )
            rows += len(batch)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--calls-per-year", type=float, default=31_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with fresh_database("sisamu_analytics") as url, tempfile.TemporaryDirectory() as folder:
        migrate.upgrade(url)
        platform = build_platform(Settings(database_url=url, secret_key="bench"), database=Database(url=url))
        try:
            say("seeding the 102 national rooms…")
            seed(platform, "national")
            say(f"loading {args.weeks} week(s) of the synthetic national year…")
            load_s, calls = timed(lambda: load_year(platform, args.weeks, args.calls_per_year, args.seed))
            end = START + timedelta(weeks=args.weeks)
            first, last = START.date(), (end - timedelta(days=1)).date()
            say(f"  {calls:,} calls in {load_s:.1f} s; rebuilding the rollups…")
            rebuild_s, _ = timed(
                lambda: rollup.rebuild(platform.engine, now=end, lost_threshold_s=THRESHOLD_S)
            )
            lag_s, _ = timed(lambda: rollup.catch_up(platform.engine, now=end, lost_threshold_s=THRESHOLD_S))

            say("QS60 by room and day: rollups, then the raw SQL floor…")
            rolled, raw_times, rolled_times = {}, [], []
            for _ in range(args.runs):
                took, rolled = timed(lambda: rollup_qs60(platform, first, last))
                rolled_times.append(took)
                took, raw = timed(lambda: raw_qs60(url))
                raw_times.append(took)
            # A room-day with no call of its own served (or only calls it took in overflow) has no QS60 (None) and
            # may be a rollup row without a raw group: compare the room-days that have one.
            raw = {
                k: v
                for k, v in raw.items()
                if first.isoformat() <= k[1] <= last.isoformat() and v is not None
            }
            rolled = {key: value for key, value in rolled.items() if value is not None}
            if rolled != raw:
                differing = sorted(set(rolled.items()) ^ set(raw.items()))[:5]
                raise SystemExit(f"the rollups and the raw calls disagree, e.g. {differing}")
            dashboard = [ms for _ in range(args.runs * 10) for ms in dashboard_queries(platform, last)]
        finally:
            platform.close()

        say("research export (child process), then its floor…")
        export_s, exported, peak_mb = export_in_child(url, first, last, Path(folder) / "export")
        floor_s, floor_rows = timed(lambda: export_floor(url, Path(folder) / "floor.parquet", first, last))
        if floor_rows != exported["calls"]:
            raise SystemExit(f"the floor wrote {floor_rows} calls, the export {exported['calls']}")

    qs60_s, raw_s = statistics.median(rolled_times), statistics.median(raw_times)
    p99 = statistics.quantiles(dashboard, n=100)[98] if len(dashboard) > 1 else dashboard[0]
    print(f"calls={calls} rooms-days={len(rolled)} load_s={load_s:.1f} rebuild_s={rebuild_s:.2f}")
    print(f"dashboard p50_ms={statistics.median(dashboard):.1f} p99_ms={p99:.1f} ({len(dashboard)} queries)")
    print(f"export rows={exported}")
    print(
        f"calls={calls} export_s={export_s:.2f} export_floor_s={floor_s:.2f} export_ratio={export_s / floor_s:.2f} "
        f"qs60_by_room_day_s={qs60_s:.3f} raw_sql_s={raw_s:.3f} raw_over_rollup={raw_s / qs60_s:.1f} "
        f"dashboard_p99_ms={p99:.1f} rollup_lag_ms={lag_s * 1000:.0f} export_peak_rss_mb={peak_mb:.0f}"
    )


if __name__ == "__main__":
    main()
