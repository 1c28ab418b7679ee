"""The load's shape and guard rails, without a server: arrival counts, profiles, surge window, loopback check."""

from __future__ import annotations

import random

import pytest

from sisamu.sim.arrivals import HOUR_OF_DAY
from sisamu.sim.load.cli import refusal
from sisamu.sim.load.shape import LoadShape, ShapeKind, arrival_times
from sisamu.sim.load.stats import LoadStats


def test_constant_rate_gives_the_expected_count():
    shape = LoadShape(ShapeKind.CONSTANT, 3600.0)  # one a second
    times = arrival_times(shape, "250", 2000.0, random.Random(1))
    assert 1850 < len(times) < 2150
    assert times == sorted(times)
    assert times[0] >= 0
    assert times[-1] < 2000


def test_daily_profile_is_compressed():
    shape = LoadShape(ShapeKind.DAILY, 3600.0, compression=3600.0)  # one simulated hour per real second
    assert shape.rate_per_s("250", 4.5) == pytest.approx(HOUR_OF_DAY[4])
    assert shape.rate_per_s("250", 11.2) == pytest.approx(HOUR_OF_DAY[11])
    weekly = LoadShape(ShapeKind.WEEKLY, 3600.0, compression=3600.0)
    assert weekly.rate_per_s("250", 24 * 5 + 11.5) > weekly.rate_per_s("250", 11.5)  # Saturday over Monday


def test_surge_only_in_its_window_and_rooms():
    shape = LoadShape(
        ShapeKind.SURGE, 360.0, surge_factor=3.0, surge_start_s=10, surge_end_s=20,
        surge_samu_ids=frozenset({"250"}),
    )  # fmt: skip
    assert shape.rate_per_s("250", 15) == pytest.approx(0.3)
    assert shape.rate_per_s("250", 25) == pytest.approx(0.1)
    assert shape.rate_per_s("680", 15) == pytest.approx(0.1)
    times = arrival_times(shape, "250", 30.0, random.Random(2), limit=5)
    assert len(times) <= 5


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://samu.example.org", False),
        ("http://10.0.0.5:8000", False),
        ("ftp://127.0.0.1", False),
    ],
)
def test_only_loopback_targets(url: str, allowed: bool):
    assert (refusal(url, allow_remote=False) is None) is allowed


def test_allow_remote_lets_a_remote_target_through():
    assert refusal("https://recette.example.org", allow_remote=True) is None


def test_stats_count_errors_and_percentiles():
    stats = LoadStats()
    for ms in range(1, 101):
        stats.record("offer", 201, ms / 1000)
    stats.record("answer", 409, 0.002)
    stats.record("end", "transport", 10.0)
    summary = stats.summary(elapsed_s=10)
    assert summary["latency"]["offer"]["p50_ms"] == 50.0
    assert summary["latency"]["offer"]["p99_ms"] == 99.0
    assert summary["errors_by_operation"] == {"answer 409": 1, "end transport": 1}
    assert summary["server_errors"] == 0
    assert stats.error_rate == pytest.approx(2 / 102)
