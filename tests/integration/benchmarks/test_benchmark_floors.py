"""Each benchmark runs end to end at tiny sizes beside its floor or peer, and its last line carries the ratio.

The figures themselves mean nothing at these sizes (docs/performance.md has the real runs); what is proved is
that every benchmark still runs against the real services and prints the keys the performance page is built
from, with ratios that are positive numbers."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support import require_broker

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def run_benchmark(
    script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> dict[str, str]:
    """Runs `benchmarks/<script>` and returns the key=value pairs of its last line."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    return dict(pair.split("=", 1) for pair in last.split())


def positive(figures: dict[str, str], *keys: str) -> None:
    for key in keys:
        value = float(figures[key])
        assert math.isfinite(value), (key, figures)
        assert value > 0, (key, figures)


@pytest.mark.db
def test_acd_beside_its_floor(pg_admin_url: str) -> None:
    figures = run_benchmark(
        "acd.py", "--runs", "1", "--seconds", "2", "--warmup", "0.5", "--seats", "1",
        env={"SISAMU_DATABASE_URL": pg_admin_url},
    )  # fmt: skip
    positive(figures, "calls_per_s", "decision_p99_ms", "floor_calls_per_s", "ratio_to_floor")
    assert float(figures["ratio_to_floor"]) == pytest.approx(
        float(figures["calls_per_s"]) / float(figures["floor_calls_per_s"]), rel=0.02, abs=0.01
    )


@pytest.mark.db
def test_acd_floor_runs_alone(pg_admin_url: str) -> None:
    figures = run_benchmark(
        "floors/acd_floor.py", "--seconds", "1", "--warmup", "0.2", "--concurrency", "2",
        env={"SISAMU_DATABASE_URL": pg_admin_url},
    )  # fmt: skip
    positive(figures, "floor_calls_per_s")


@pytest.mark.db
@pytest.mark.broker
def test_hub_beside_its_floor(pg_admin_url: str) -> None:
    require_broker()
    figures = run_benchmark(
        "hub.py", "--messages", "20", "--runs", "1", "--probe", "2", env={"SISAMU_DATABASE_URL": pg_admin_url}
    )
    positive(figures, "msgs_per_s", "p99_ms", "floor_msgs_per_s", "ratio_to_floor")
    assert float(figures["ratio_to_floor"]) == pytest.approx(
        float(figures["msgs_per_s"]) / float(figures["floor_msgs_per_s"]), rel=0.05, abs=0.001
    )


@pytest.mark.broker
def test_hub_floor_runs_alone() -> None:
    require_broker()
    figures = run_benchmark("floors/hub_floor.py", "--messages", "50", "--runs", "1")
    positive(figures, "floor_msgs_per_s", "p99_ms")


def test_twin_beside_its_simpy_peer() -> None:
    """The benchmark fails on its own when the two engines disagree by more than half a point."""
    figures = run_benchmark("twin.py", "--runs", "1", "--hours", "3", "--simpy-hours", "2")
    positive(figures, "calls", "wall_s", "simpy_s", "speedup_vs_simpy", "same_day_speedup")


def test_simpy_peer_runs_alone_and_agrees_with_the_twin() -> None:
    figures = run_benchmark("floors/twin_simpy.py", "--hours", "2")
    positive(figures, "calls", "twin_s", "simpy_s", "speedup")
    assert abs(float(figures["sl60_twin"]) - float(figures["sl60_simpy"])) <= 0.005
    assert abs(float(figures["lost_twin"]) - float(figures["lost_simpy"])) <= 0.005


@pytest.mark.db
def test_console_beside_its_floor(pg_admin_url: str) -> None:
    figures = run_benchmark(
        "console.py", "--clients", "20", "--events", "2", "--processes", "1",
        env={"SISAMU_DATABASE_URL": pg_admin_url},
    )  # fmt: skip
    assert figures["clients"] == "20"
    positive(figures, "p50_ms", "p99_ms", "floor_p99_ms", "ratio_p99")


@pytest.mark.db
def test_analytics_beside_raw_sql_and_a_plain_parquet_writer(pg_admin_url: str) -> None:
    figures = run_benchmark(
        "analytics.py", "--weeks", "1", "--calls-per-year", "200000", "--runs", "1",
        env={"SISAMU_DATABASE_URL": pg_admin_url},
    )  # fmt: skip
    assert int(figures["calls"]) > 1_000
    positive(figures, "export_s", "export_floor_s", "export_ratio", "qs60_by_room_day_s", "raw_sql_s",
             "raw_over_rollup", "dashboard_p99_ms", "rollup_lag_ms", "export_peak_rss_mb")  # fmt: skip


def test_dispatch_on_a_road_graph_beside_the_straight_line() -> None:
    figures = run_benchmark(
        "dispatch.py", "--runs", "1", "--queries", "20", "--resources", "400", "--road-resources", "40",
        "--road-queries", "5", "--road-spacing-m", "2000",
    )  # fmt: skip
    positive(figures, "p99_ms", "road_p50_ms", "road_p99_ms", "straight_dept_p99_ms", "road_ratio_p99")


def test_road_extract_is_imported_by_the_cli(tmp_path: Path) -> None:
    from sisamu.geo.roadgraph import RoadGraph

    figures = run_benchmark(
        "floors/road_extract.py",
        "--departement",
        "90",
        "--spacing-m",
        "3000",
        "--out",
        str(tmp_path / "90.npz"),
    )
    graph = RoadGraph.load(figures["graph"])
    assert graph.node_count > 20
    assert graph.edge_count > 2 * graph.node_count  # a grid: about four directed edges a node


@pytest.mark.db
async def test_console_floor_broadcasts_each_notification_to_every_client(database_url: str) -> None:
    import psycopg
    import websockets

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from floors import console_floor

    from sisamu.storage.database import libpq_url

    port = _free_port()
    server = console_floor.start(libpq_url(database_url), port)
    try:
        consoles = [await websockets.connect(f"ws://127.0.0.1:{port}/ws/live") for _ in range(3)]
        assert [json.loads(await ws.recv())["kind"] for ws in consoles] == ["hello"] * 3
        with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (console_floor.CHANNEL, '{"id": "e1"}'))
        assert [json.loads(await ws.recv())["id"] for ws in consoles] == ["e1"] * 3
        for ws in consoles:
            await ws.close()
    finally:
        console_floor.stop(server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
