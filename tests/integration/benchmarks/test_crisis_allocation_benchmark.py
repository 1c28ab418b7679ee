"""`benchmarks/crisis_allocation.py` runs end to end at a tiny size beside its floor (`linear_sum_assignment` alone
on the same cost matrix) and prints the keys `docs/hospital-capacity.md` quotes; the allocation cannot be faster
than its floor. The figures themselves mean nothing at this size."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def test_crisis_allocation_beside_its_floor() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "crisis_allocation.py"),
         "--victims", "60", "--hospitals", "6", "--batch", "20", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = dict(pair.split("=", 1) for pair in done.stdout.strip().splitlines()[-1].split())
    assert (figures["victims"], figures["hospitals"], figures["batch"]) == ("60", "6", "20")
    for key in ("allocation_ms", "floor_ms", "ratio_to_floor"):
        assert math.isfinite(float(figures[key]))
        assert float(figures[key]) > 0, (key, figures)
    assert float(figures["ratio_to_floor"]) == pytest.approx(
        float(figures["allocation_ms"]) / float(figures["floor_ms"]), rel=0.05
    )
    assert float(figures["allocation_ms"]) >= float(figures["floor_ms"])
