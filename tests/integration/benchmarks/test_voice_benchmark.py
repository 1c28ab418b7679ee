"""`benchmarks/voice.py` runs end to end at a tiny size: real SIP calls through `sisamu voice` on PostgreSQL beside
the same calls between bare pjsua2 user agents, and its last line carries the figures and their ratio. The figures
mean nothing at this size (docs/performance.md has the real runs); every call is set up, answered at a seat in the
distribution and recorded, and the platform cannot set a call up faster than its floor."""

from __future__ import annotations

import importlib.util

import pytest
from test_benchmark_floors import positive, run_benchmark

from support import missing_service

pytestmark = [
    pytest.mark.slow,
    pytest.mark.db,
    pytest.mark.xdist_group("voice"),
]  # real-time audio: one at a time


def test_voice_beside_its_floor(pg_admin_url: str) -> None:
    if importlib.util.find_spec("pjsua2") is None:
        missing_service("PJSIP's pjsua2 is not installed (pip install -e '.[voice]')")
    figures = run_benchmark(
        "voice.py", "--calls", "6", "--concurrent", "1", "--talk-s", "0.3",
        env={"SISAMU_DATABASE_URL": pg_admin_url},
    )  # fmt: skip
    assert (figures["calls"], figures["concurrent"], figures["failed"]) == ("6", "1", "0")
    assert (figures["answered"], figures["recordings"]) == ("6", "6")
    positive(figures, "setup_p50_ms", "setup_p99_ms", "floor_setup_p50_ms", "floor_setup_p99_ms", "ratio_p99")
    assert float(figures["ratio_p99"]) == pytest.approx(
        float(figures["setup_p99_ms"]) / float(figures["floor_setup_p99_ms"]), rel=0.02
    )
    assert float(figures["setup_p50_ms"]) > float(figures["floor_setup_p50_ms"])
