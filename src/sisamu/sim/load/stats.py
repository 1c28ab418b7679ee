"""What a load run measures: outcomes counted, HTTP answers by status, latency per operation (p50 / p99)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoadStats", "percentile"]

SUCCESS = range(200, 300)
TRANSPORT_ERROR = "transport"  # no HTTP answer: refused connection, timeout…


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 1]) of an already sorted, non-empty list."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class LoadStats:
    offered: int = 0  # calls accepted by the gateway route (201)
    presented: int = 0  # rings seen at the simulated seats
    answered: int = 0
    abandoned: int = 0  # callers who hung up before an answer (hang-up accepted)
    abandoned_at_end: int = 0  # of which: still waiting when the run stopped (every waiting caller hangs up)
    ended: int = 0  # conversations ended by the simulated ARM
    files_opened: int = 0
    qualified: int = 0
    handed_over: int = 0
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # "201", "409", "transport"…
    errors: Counter[str] = field(default_factory=Counter)  # "<operation> <status>" for every non-2xx
    latencies_s: dict[str, list[float]] = field(default_factory=dict)

    def record(self, operation: str, status: int | str, seconds: float) -> None:
        self.requests += 1
        code = str(status)
        self.statuses[code] += 1
        if not (isinstance(status, int) and status in SUCCESS):
            self.errors[f"{operation} {code}"] += 1
        self.latencies_s.setdefault(operation, []).append(seconds)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def error_rate(self) -> float:
        return self.error_count / self.requests if self.requests else 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code.startswith("5"))

    def latency_table(self) -> dict[str, dict[str, float]]:
        table: dict[str, dict[str, float]] = {}
        for operation, values in sorted(self.latencies_s.items()):
            ordered = sorted(values)
            table[operation] = {
                "n": len(ordered),
                "p50_ms": round(percentile(ordered, 0.50) * 1000, 1),
                "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
                "max_ms": round(ordered[-1] * 1000, 1),
            }
        return table

    def summary(self, *, elapsed_s: float) -> dict[str, Any]:
        return {
            "elapsed_s": round(elapsed_s, 1),
            "offered": self.offered,
            "presented": self.presented,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "abandoned_at_end": self.abandoned_at_end,
            "ended": self.ended,
            "files_opened": self.files_opened,
            "qualified": self.qualified,
            "handed_over": self.handed_over,
            "requests": self.requests,
            "requests_per_s": round(self.requests / elapsed_s, 1) if elapsed_s > 0 else 0.0,
            "errors": self.error_count,
            "error_rate": round(self.error_rate, 4),
            "server_errors": self.server_errors,
            "statuses": dict(sorted(self.statuses.items())),
            "errors_by_operation": dict(sorted(self.errors.items())),
            "latency": self.latency_table(),
        }
