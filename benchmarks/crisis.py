"""Crisis victims registry: 20 people registering victims at once, beside a bare INSERT by 20 threads.

Usage: python benchmarks/crisis.py [--writers 20] [--each 50] [--runs 3]

A fresh database (on SISAMU_DATABASE_URL's server, else an embedded PostgreSQL) with the schema, SAMU 250, its
supervisor and `--writers` ARMs, and a NOVI crisis opened by the supervisor. Each writer registers `--each` victims
through the registry's own service (`crisis.victims.service.register`, the code behind
`POST /api/crises/{id}/victims`), one transaction per victim as a request has: the participation check, a bracelet
number validated (half of them) or one allocated from the crisis' counter (the other half), the victim and its
first triage row, the audit entry in SAMU 250's chain, the linked entry in the crisis log's hash chain, the live
events — all of the writers at the same moment (a barrier). A write's time is the whole transaction, commit
included. Then the registry is checked: every victim there, no number twice, the allocated sequence dense.

The floor: the same number of single-row INSERTs (a short text row in a scratch table), one transaction each, by
the same number of threads through the same SQLAlchemy/psycopg pool on the same database — what no write of one
row can go below on this stack. Times are over all writes of all runs. Last line key=value.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from floors.databases import fresh_database

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.config import Settings
from sisamu.crisis import service as crisis_service
from sisamu.crisis.model import CrisisKind
from sisamu.crisis.victims import service as victims
from sisamu.crisis.victims.model import Triage
from sisamu.crisis.victims.tables import crisis_victim
from sisamu.platform import Platform
from sisamu.security import service as accounts
from sisamu.security import store
from sisamu.security.roles import Principal, Role
from sisamu.storage.database import Database
from sisamu.storage.tables import samu

GOAL_P99_MS = 50.0
SCRATCH = sa.Table(
    "bench_floor_row",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("writer", sa.Integer, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare(platform: Platform, writers: int) -> list[Principal]:
    now = platform.clock.now()
    with platform.uow() as uow:
        uow.execute(
            samu.insert().values(
                samu_id="250", hub_id="fr.health.samu250", departement="25", name="SAMU 25",
                city_insee="25056", timezone="Europe/Paris",
            )
        )  # fmt: skip
    with platform.uow() as uow:
        for role, name in [(Role.SUPERVISOR, "supervisor"), *((Role.ARM, f"arm{i}") for i in range(writers))]:
            accounts.create_account(
                uow, username=f"{name}.250", display_name=name, role=role, samu_id="250", password=None,
                now=now, with_totp=False,
            )  # fmt: skip
    with platform.engine.connect() as conn:
        return [
            store.principal_from_row(store.account_by_username(conn, name))
            for name in ["supervisor.250", *(f"arm{i}.250" for i in range(writers))]
        ]


def at_once(writers: int, work: Callable[[int], list[float]]) -> list[float]:
    """Run `work(i)` in `writers` threads started together; their times, or the first error raised."""
    barrier = threading.Barrier(writers)
    times: list[float] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            times.extend(work(i))
        except BaseException as exc:  # noqa: BLE001 - raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return times


def registry_run(
    platform: Platform, crisis_id: int, arms: list[Principal], each: int, run: int
) -> list[float]:
    def writer(i: int) -> list[float]:
        took = []
        for n in range(each):
            bracelet = f"FR025NOVI2026TR{(run * 10_000 + i * 500 + n + 1):06d}" if n % 2 == 0 else None
            start = time.perf_counter()
            with platform.uow() as uow:
                victims.register(
                    uow, principal=arms[i], crisis_id=crisis_id, now=platform.clock.now(), bracelet=bracelet,
                    triage=Triage.UR, pma="PMA gymnase",
                )  # fmt: skip
            took.append((time.perf_counter() - start) * 1000)
        return took

    return at_once(len(arms), writer)


def floor_run(platform: Platform, writers: int, each: int) -> list[float]:
    def writer(i: int) -> list[float]:
        took = []
        for n in range(each):
            start = time.perf_counter()
            with platform.engine.begin() as conn:
                conn.execute(SCRATCH.insert().values(writer=i, payload=f"victime {i}-{n}"))
            took.append((time.perf_counter() - start) * 1000)
        return took

    return at_once(writers, writer)


def check(platform: Platform, crisis_id: int, expected: int) -> None:
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(crisis_victim.c.number, crisis_victim.c.allocated_seq).where(
                crisis_victim.c.crisis_id == crisis_id
            )
        ).all()
    numbers = [r.number for r in rows]
    allocated = sorted(r.allocated_seq for r in rows if r.allocated_seq is not None)
    if (
        len(numbers) != expected
        or len(set(numbers)) != expected
        or allocated != list(range(1, len(allocated) + 1))
    ):
        raise SystemExit(
            f"registry wrong: {len(numbers)} rows, {len(set(numbers))} numbers, expected {expected}"
        )


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--each", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with fresh_database("sisamu_crisis") as url:
        migrate.upgrade(url)
        platform = build_platform(Settings(database_url=url, secret_key="bench"), database=Database(url=url))
        try:
            supervisor, *arms = prepare(platform, args.writers)
            with platform.uow() as uow:
                crisis = crisis_service.open_crisis(
                    uow, principal=supervisor, now=platform.clock.now(), kind=CrisisKind.NOVI, level=2,
                    title="Benchmark", place="Besançon",
                )  # fmt: skip
            with platform.engine.begin() as conn:
                SCRATCH.create(conn)
            registry_run(platform, crisis.crisis_id, arms[:2], 2, run=9)  # warm the pool and the code paths
            floor_run(platform, 2, 2)
            writes: list[float] = []
            floor: list[float] = []
            for run in range(args.runs):
                say(f"run {run + 1}: {args.writers} writers × {args.each} victims…")
                writes += registry_run(platform, crisis.crisis_id, arms, args.each, run)
                floor += floor_run(platform, args.writers, args.each)
            check(platform, crisis.crisis_id, args.runs * args.writers * args.each + 4)
        finally:
            platform.close()
    p50, p99 = pct(writes, 50), pct(writes, 99)
    floor_p50, floor_p99 = pct(floor, 50), pct(floor, 99)
    say(
        f"registry write p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal ≤ {GOAL_P99_MS:.0f} ms); floor p99 {floor_p99:.1f} ms"
    )
    print(
        f"victims={len(writes)} writers={args.writers} write_p50_ms={p50:.2f} write_p99_ms={p99:.2f} "
        f"floor_p50_ms={floor_p50:.2f} floor_p99_ms={floor_p99:.2f} ratio_p99={p99 / floor_p99:.2f}"
    )


if __name__ == "__main__":
    main()
