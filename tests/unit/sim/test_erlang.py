"""Erlang C and Erlang A closed forms: known values, limits, internal consistency, large N."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sisamu.sim.erlang import erlang_a, erlang_b, erlang_c
from sisamu.sim.staffing import min_agents


def test_erlang_b_and_c_known_values() -> None:
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_c(2, 1 / 90, 90).p_wait == pytest.approx(1 / 3)
    assert erlang_c(10, 8 / 90, 90).p_wait == pytest.approx(0.40918, abs=1e-5)
    c = erlang_c(10, 8 / 90, 90)
    assert c.mean_wait_s == pytest.approx(c.p_wait * 90 / 2)
    assert erlang_c(3, 4 / 90, 90).p_wait == 1.0


def test_performance_worked_example() -> None:
    """PERFORMANCE.md: 300,000 calls/year, 90 s, peak 2.5×, 99 % within 60 s: 6 ARMs; ten centres 60 vs 27."""
    peak = 300_000 * 2.5 / (365 * 86_400)
    assert min_agents(peak, 90.0, math.inf, 0.99, 60.0) == 6
    assert erlang_c(5, peak, 90).service_level(60) < 0.99 <= erlang_c(6, peak, 90).service_level(60)
    assert 10 * min_agents(peak, 90.0, math.inf, 0.99, 60.0) == 60
    assert min_agents(10 * peak, 90.0, math.inf, 0.99, 60.0) == 27


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    a, c = erlang_a(20, 0.2, 90, 1e9), erlang_c(20, 0.2, 90)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-5)
    assert a.service_level(20) == pytest.approx(c.service_level(20), abs=1e-5)
    assert a.mean_wait_s == pytest.approx(c.mean_wait_s, rel=1e-4)


def _birth_death(n: int, lam: float, mu: float, theta: float, cap: int = 400) -> np.ndarray:
    """Independent check: solve the truncated chain's balance equations as a linear system."""
    size = n + cap
    q = np.zeros((size, size))
    for k in range(size - 1):
        q[k, k + 1] = lam
        q[k + 1, k] = min(k + 1, n) * mu + max(k + 1 - n, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    return np.linalg.lstsq(a, b, rcond=None)[0]


@pytest.mark.parametrize(("n", "lam", "patience"), [(5, 0.05, 60.0), (10, 0.15, 180.0), (3, 0.1, 30.0)])
def test_erlang_a_matches_linear_solve(n: int, lam: float, patience: float) -> None:
    p = _birth_death(n, lam, 1 / 90, 1 / patience)
    queue = np.arange(len(p)) - n
    a = erlang_a(n, lam, 90, patience)
    assert a.p_wait == pytest.approx(p[n:].sum(), abs=1e-9)
    assert a.p_abandon == pytest.approx((1 / patience) * (p[n:] * queue[n:]).sum() / lam, abs=1e-9)


def test_erlang_a_consistency() -> None:
    a = erlang_a(10, 0.15, 90, 120)
    assert 1 - a.service_level(1e9) == pytest.approx(a.p_abandon, abs=1e-9)
    assert a.abandon_after(0.0) == pytest.approx(a.p_abandon, abs=1e-9)
    assert 0 < a.abandon_after(15) < a.p_abandon
    assert a.service_level(30) < a.service_level(60) < 1 - a.p_abandon
    assert a.occupancy == pytest.approx(0.15 * 90 * (1 - a.p_abandon) / 10, rel=1e-9)


def test_large_rooms_are_stable() -> None:
    for n in (100, 300, 500):
        c = erlang_c(n, n * 0.95 / 90, 90)
        a = erlang_a(n, n * 1.1 / 90, 90, 120)
        assert 0 < c.p_wait < 1
        assert math.isfinite(c.mean_wait_s)
        assert 0 < a.p_abandon < 0.2
        assert 0 < a.service_level(60) < 1
