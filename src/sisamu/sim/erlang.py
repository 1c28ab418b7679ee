"""Erlang C (M/M/N) and Erlang A (M/M/N+M, Palm) closed forms, stable for N up to several hundred.

Erlang C uses the Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)) and C = N·B / (N − A·(1 − B)).
Erlang A follows Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with applications to call centers" (2007): the
stationary law of the birth–death chain (birth λ, death min(n, N)·μ + (n − N)⁺·θ) computed in log space, then
P(abandon) = θ·E[queue]/λ. For the service level, a caller who finds m − 1 callers queued ahead waits a time V
whose phases have rates θ·(a + k − 1), k = 1…m, with a = N·μ/θ, so e^{−θV} ~ Beta(a, m); the caller is served
within t (before their own exponential patience runs out) with probability a/(a + m) · (1 − I_{e^{−θt}}(a + 1, m)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["ErlangA", "ErlangC", "erlang_a", "erlang_b", "erlang_c"]


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/N/N with `load` = λ/μ Erlangs."""
    b = 1.0
    for n in range(1, servers + 1):
        b = load * b / (n + load * b)
    return b


@dataclass(frozen=True, slots=True)
class ErlangC:
    servers: int
    load: float
    aht_s: float
    p_wait: float

    def service_level(self, t_s: float) -> float:
        """Share of callers answered within `t_s` seconds."""
        if self.p_wait >= 1.0:
            return 0.0
        return 1.0 - self.p_wait * math.exp(-(self.servers - self.load) * t_s / self.aht_s)

    @property
    def mean_wait_s(self) -> float:
        if self.p_wait >= 1.0:
            return math.inf
        return self.p_wait * self.aht_s / (self.servers - self.load)

    @property
    def occupancy(self) -> float:
        return min(1.0, self.load / self.servers)


def erlang_c(servers: int, arrivals_per_s: float, aht_s: float) -> ErlangC:
    """M/M/N without abandonment; P(wait) = 1 when the load is not below N (unstable queue)."""
    load = arrivals_per_s * aht_s
    if servers <= load:
        return ErlangC(servers, load, aht_s, 1.0)
    b = erlang_b(servers, load)
    return ErlangC(servers, load, aht_s, servers * b / (servers - load * (1.0 - b)))


@dataclass(frozen=True, slots=True)
class ErlangA:
    servers: int
    arrivals_per_s: float
    aht_s: float
    patience_s: float
    p_wait: float
    p_abandon: float
    mean_queue: float
    occupancy: float
    _queue_law: tuple[float, ...]  # P(arrival finds m − 1 queued ahead), m = 1, 2, …

    @property
    def mean_wait_s(self) -> float:
        """Mean time in queue over all callers (served or not), by Little's law."""
        return self.mean_queue / self.arrivals_per_s

    def service_level(self, t_s: float) -> float:
        """Share of all offered callers answered within `t_s` seconds."""
        theta = 1.0 / self.patience_s
        a = self.servers / self.aht_s / theta
        m = np.arange(1, len(self._queue_law) + 1, dtype=float)
        x = math.exp(-theta * t_s)
        served = a / (a + m) * (1.0 - special.betainc(a + 1.0, m, x))
        return float(1.0 - self.p_wait + np.dot(np.asarray(self._queue_law), served))

    def abandon_after(self, t_s: float) -> float:
        """Share of all offered callers who hang up after waiting more than `t_s` seconds (lost calls)."""
        theta = 1.0 / self.patience_s
        a = self.servers / self.aht_s / theta
        m = np.arange(1, len(self._queue_law) + 1, dtype=float)
        x = math.exp(-theta * t_s)
        # P(V > t, abandon) = P(patience ∈ (t, V)) = E[(e^{−θt} − e^{−θV})⁺] with e^{−θV} ~ Beta(a, m).
        below = special.betainc(a, m, x)
        mean_below = a / (a + m) * special.betainc(a + 1.0, m, x)
        return float(np.dot(np.asarray(self._queue_law), x * below - mean_below))


def erlang_a(servers: int, arrivals_per_s: float, aht_s: float, patience_s: float) -> ErlangA:
    """M/M/N+M with mean handling time `aht_s` and exponential patience of mean `patience_s`."""
    lam, mu, theta = arrivals_per_s, 1.0 / aht_s, 1.0 / patience_s
    n_srv = servers
    load = lam / mu
    # log π_n ∝ n·log A − log n! for n ≤ N; then × λ / (N·μ + j·θ) per queued caller j.
    n = np.arange(n_srv + 1, dtype=float)
    head = n * math.log(load) - special.gammaln(n + 1.0) if load > 0 else np.where(n == 0, 0.0, -np.inf)
    mean_q = max(0.0, (lam - n_srv * mu) / theta)
    extra = int(mean_q + 40.0 * math.sqrt(lam / theta + 1.0) + 200)
    j = np.arange(1, extra + 1, dtype=float)
    tail = head[-1] + np.cumsum(math.log(lam) - np.log(n_srv * mu + j * theta))
    logp = np.concatenate([head, tail])
    logp -= logp.max()
    p = np.exp(logp)
    p /= p.sum()
    queued = p[n_srv + 1 :]
    mean_queue = float(np.dot(queued, j))
    busy = float(np.dot(p[: n_srv + 1], n) + n_srv * p[n_srv + 1 :].sum())
    return ErlangA(
        servers=n_srv,
        arrivals_per_s=lam,
        aht_s=aht_s,
        patience_s=patience_s,
        p_wait=float(p[n_srv:].sum()),
        p_abandon=theta * mean_queue / lam,
        mean_queue=mean_queue,
        occupancy=busy / n_srv if n_srv else 1.0,
        _queue_law=tuple(float(x) for x in p[n_srv:]),
    )
