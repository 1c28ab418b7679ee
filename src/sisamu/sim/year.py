"""A synthetic national year from the twin, as the platform's own calls: week after week, each simulated with the
live distribution's policy, turned into finished calls (`calls.history.PastCall`) and streamed into the database,
so that the indicators, their dashboards and the research export are measured at national scale. Memory stays
that of one week (≈ 600,000 calls nationally)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from sisamu.calls.history import PastCall
from sisamu.sim.engine import Outcome, run
from sisamu.sim.scenarios import Scenario, build_setup

WEEK = timedelta(days=7)
REPEAT_CALLER_SHARE = 0.1  # calls whose number called already that week (callbacks, worried relatives)


def week_calls(outcome: Outcome, start: datetime, week: int, rng: np.random.Generator) -> Iterator[PastCall]:
    """The finished calls of one simulated week starting at `start` (its Monday 0 h, UTC)."""
    calls = outcome.setup.calls
    rooms = outcome.setup.rooms
    n = len(calls)
    numbers = rng.integers(0, max(1, int(n * (1 - REPEAT_CALLER_SHARE))), size=n)
    offered = calls.time_s
    for i in range(n):
        at = start + timedelta(seconds=float(offered[i]))
        wait = timedelta(seconds=float(outcome.wait_s[i]))
        answered = bool(outcome.answered[i])
        own = rooms[int(calls.room[i])]
        helper = int(outcome.helped_by[i])
        yield PastCall(
            samu_id=own,
            call_id=f"twin-{week:03d}-{i:07d}",
            handling_samu_id=rooms[helper] if helper >= 0 else own,
            flux="15",
            priority="UV" if calls.vital[i] else "PX",
            caller_number=f"+336{(int(numbers[i]) + week * 1_000_003) % 100_000_000:08d}",
            offered_at=at,
            answered_at=at + wait if answered else None,
            ended_at=at + wait + timedelta(seconds=float(calls.handling_s[i])) if answered else at + wait,
        )


def year(
    scenario: Scenario,
    *,
    start: datetime,
    weeks: int,
    seed: int,
    load: Callable[[Iterator[PastCall]], int],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Simulate `weeks` weeks from `start` and hand each week's calls to `load`; returns the calls loaded."""
    total = 0
    week_scenario = replace(scenario, hours=7 * 24)
    for week in range(weeks):
        setup = build_setup(week_scenario, seed + week)
        outcome = run(setup)
        total += load(week_calls(outcome, start + week * WEEK, week, np.random.default_rng(seed + week)))
        if progress is not None:
            progress(week + 1, total)
    return total
