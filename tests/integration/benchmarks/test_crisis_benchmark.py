"""`benchmarks/crisis.py` runs end to end at a tiny size beside its floor (single-row INSERTs by as many threads
through the same pool) and prints the keys `docs/performance.md` quotes; the registry is checked inside the run
(every victim there, no number twice, the allocated sequence dense). The figures mean nothing at this size."""

from __future__ import annotations

import pytest
from test_benchmark_floors import positive, run_benchmark

pytestmark = [pytest.mark.slow, pytest.mark.db]


def test_crisis_registry_beside_its_floor(pg_admin_url: str) -> None:
    figures = run_benchmark(
        "crisis.py", "--writers", "4", "--each", "3", "--runs", "1", env={"SISAMU_DATABASE_URL": pg_admin_url}
    )
    assert (figures["victims"], figures["writers"]) == ("12", "4")
    positive(figures, "write_p50_ms", "write_p99_ms", "floor_p50_ms", "floor_p99_ms", "ratio_p99")
    assert float(figures["ratio_p99"]) == pytest.approx(
        float(figures["write_p99_ms"]) / float(figures["floor_p99_ms"]), rel=0.02
    )
