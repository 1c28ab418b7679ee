"""Distribution decision latency on PostgreSQL: one `distribute` pass (a pooled connection, lock waiting calls
and available seats `FOR UPDATE SKIP LOCKED`, the pure policy chooses a seat of the call's own SAMU or a partner's,
or leaves the call queued, the decision written), timed up to the commit (`p50_ms`, `p99_ms`) and including the
commit, i.e. the WAL flush (`commit_p50_ms`, `commit_p99_ms`).

Three SAMUs: 250 (3 ARMs, overflow to 680 then 700 at τ = 0 s), 680 and 700 (8 ARMs each). Calls stay on line for
a while, so some wait in the queue and some overflow. Usage: python benchmarks/distribution.py [--runs 3]
[--decisions 2000]. Uses SISAMU_DATABASE_URL if set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import deque
from pathlib import Path

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.calls.distribution import assignment as distribution
from sisamu.calls.distribution import service
from sisamu.calls.distribution.policy import OverflowAgreement
from sisamu.calls.flux import Flux
from sisamu.calls.overflow import service as overflow_service
from sisamu.calls.seats import service as seat_service
from sisamu.config import Settings
from sisamu.domain.clock import FakeClock
from sisamu.platform import Platform
from sisamu.storage.tables import samu

SEATS = {"250": 3, "680": 8, "700": 8}
ON_LINE = 15  # calls kept in conversation at once (more than SAMU 250's seats: queueing and overflow happen)


def prepare(platform: Platform, clock: FakeClock) -> None:
    migrate.upgrade_database(platform.database)
    with platform.uow() as uow:
        for samu_id in SEATS:
            uow.execute(
                samu.insert().values(
                    samu_id=samu_id, hub_id=f"fr.health.samu{samu_id}", departement=samu_id[:2],
                    name=f"SAMU {samu_id}", city_insee="25056", timezone="Europe/Paris",
                )
            )  # fmt: skip
        overflow_service.set_agreement(
            uow, principal=None, agreement=OverflowAgreement("250", ("680", "700"), 0.0), active=True,
            now=clock.now(),
        )  # fmt: skip
        for samu_id, count in SEATS.items():
            for n in range(count):
                seat_service.log_in(
                    uow,
                    principal=None,
                    samu_id=samu_id,
                    seat_id=f"S{n}",
                    now=clock.now(),
                    after_call_work_s=0,
                )


def one_run(
    platform: Platform, clock: FakeClock, run: int, decisions: int
) -> tuple[list[float], list[float]]:
    rng = random.Random(run)
    on_line: deque[tuple[str, str]] = deque()
    waiting = 0
    timings: list[float] = []
    committed: list[float] = []
    for n in range(decisions):
        now = clock.advance(1)
        samu_id = rng.choice(("250", "250", "680", "700"))
        with platform.uow() as uow:
            service.offer(
                uow, principal=None, samu_id=samu_id, call_id=f"r{run}-{n}", flux=Flux.CENTRE_15, now=now
            )
        started = time.perf_counter()
        with platform.uow() as uow:
            made = distribution.distribute(uow, now, samu_ids=[samu_id])
            decided = time.perf_counter()
        timings.append((decided - started) * 1000)
        committed.append((time.perf_counter() - started) * 1000)
        waiting += 1 - len(made)
        for a in made:
            with platform.uow() as uow:
                service.answer(uow, principal=None, samu_id=a.seat_samu_id, seat_id=a.seat_id, now=now)
            on_line.append((a.call_samu_id, a.call_id))
        while len(on_line) > ON_LINE or (on_line and rng.random() < 0.5):
            owner, call_id = on_line.popleft()
            with platform.uow() as uow:
                service.end(uow, principal=None, samu_id=owner, call_id=call_id, now=now)
    return timings, committed


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sisamu-bench-"))
    folder.chmod(0o755)
    settings = Settings(data_dir=folder, database_url=os.environ.get("SISAMU_DATABASE_URL"))
    platform = build_platform(settings)
    clock = FakeClock()
    try:
        prepare(platform, clock)
        p50s, p99s, c50s, c99s = [], [], [], []
        for run in range(1, args.runs + 1):
            timings, committed = one_run(platform, clock, run, args.decisions)
            p50s.append(statistics.median(timings))
            p99s.append(quantile(timings, 0.99))
            c50s.append(statistics.median(committed))
            c99s.append(quantile(committed, 0.99))
            print(
                f"run {run}: {len(timings)} decisions, p50 {p50s[-1]:.2f} ms, p99 {p99s[-1]:.2f} ms; "
                f"with commit p50 {c50s[-1]:.2f} ms, p99 {c99s[-1]:.2f} ms"
            )
        print(
            f"decisions={args.decisions * args.runs} p50_ms={statistics.median(p50s):.2f} "
            f"p99_ms={statistics.median(p99s):.2f} commit_p50_ms={statistics.median(c50s):.2f} "
            f"commit_p99_ms={statistics.median(c99s):.2f}"
        )
    finally:
        platform.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
