"""Call intake through the real HTTP API with PostgreSQL: calls per second sustained and the distribution decision.

Starts `sisamu serve` (one or more instances, `--servers`) as subprocesses on a fresh database: a new database on
the server of SISAMU_DATABASE_URL if set, else an embedded PostgreSQL in a 0755 temporary folder (the server runs
as another user than root's private temp folders allow). Three SAMUs with `--seats` ARMs each, every ARM a person
account with a bearer token logged in at a seat (no after-call work); one gateway (a `telephony_gateway` account, bearer
token) per SAMU.

One call = the gateway offers it (`POST …/telephony/calls`, which runs a distribution pass), the ARM whose seat
rings answers it (`POST …/seats/{seat}/answer`) and ends it (`POST …/calls/{call}/end`, another distribution
pass); with `--open-file` the ARM also opens the regulation file from it (`POST /api/samus/{samu}/files` with the
call id) between the two, which measures the ARM's whole path rather than the telephony alone. Concurrent clients
(asyncio, the lean keep-alive client of `lean_http.py`, so that the load generator leaves the cores to the
platform): offerers keep at most one call per seat in flight; a call the offer's pass could not place (another
pass held the free seats) is found on the next seat poll. Calls per second = calls ended during the measured
window / its length. The decision is the `distribute` pass of each offer (lock waiting calls and free seats
SKIP LOCKED, the pure policy, the writes, before the commit), as the server reports it in `Server-Timing`.

Usage (from the repo root): python benchmarks/acd.py [--runs 3] [--seconds 20] [--seats 8] [--servers 1]
                                                   [--open-file]
Last line: `calls_per_s=… decision_p99_ms=…` (medians over the runs).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from lean_http import LeanClient, Reply
from sqlalchemy.engine import make_url

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.config import Settings
from sisamu.security import service as accounts
from sisamu.security import store
from sisamu.security.roles import Role
from sisamu.storage.database import Database, libpq_url, sqlalchemy_url
from sisamu.storage.embedded import EmbeddedPostgres
from sisamu.storage.tables import samu

SAMUS = ("250", "680", "700")
BASE = "/api/samus/{}/telephony"


@contextmanager
def fresh_database() -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database (dropped afterwards)."""
    external = os.environ.get("SISAMU_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="sisamu-acd-"))
    folder.chmod(0o755)
    server = None
    try:
        if external:
            admin = libpq_url(external)
        else:
            server = EmbeddedPostgres(folder / "data")
            admin = libpq_url(make_url(server.start()).set(database="postgres").render_as_string(False))
        name = f"sisamu_acd_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield sqlalchemy_url(make_url(admin).set(database=name).render_as_string(hide_password=False))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Seat:
    samu_id: str
    seat_id: str
    token: str


def prepare(url: str, seats: int) -> tuple[dict[str, str], list[Seat]]:
    """Schema, rooms, accounts and tokens; returns the gateway token per SAMU and the ARM seats."""
    migrate.upgrade(url)
    platform = build_platform(Settings(database_url=url, secret_key="acd"), database=Database(url=url))
    try:
        now = platform.clock.now()
        gateways: dict[str, str] = {}
        arms: list[Seat] = []
        with platform.uow() as uow:
            for samu_id in SAMUS:
                uow.execute(
                    samu.insert().values(
                        samu_id=samu_id, hub_id=f"fr.health.samu{samu_id}", departement=samu_id[:2],
                        name=f"SAMU {samu_id}", city_insee="25056", timezone="Europe/Paris",
                    )
                )  # fmt: skip
        with platform.uow() as uow:
            for samu_id in SAMUS:
                for role, n in [(Role.TELEPHONY_GATEWAY, 0), *((Role.ARM, k) for k in range(seats))]:
                    made = accounts.create_account(
                        uow, username=f"{role}-{samu_id}-{n}", display_name=f"{role} {n}", role=role,
                        samu_id=samu_id, password=None, now=now, with_totp=False,
                    )  # fmt: skip
                    principal = store.principal_from_row(store.account_by_username(uow.conn, made.username))
                    token = accounts.issue_token(uow, principal=principal, name="acd", now=now)
                    if role is Role.TELEPHONY_GATEWAY:
                        gateways[samu_id] = token
                    else:
                        arms.append(Seat(samu_id, f"P{n:02d}", token))
        return gateways, arms
    finally:
        platform.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SISAMU_DATABASE_URL": url,
        "SISAMU_DATA_DIR": str(data_dir),
        "SISAMU_SECRET_KEY": "acd-benchmark",
        "SISAMU_ACCESS_LOG": "false",  # as behind a reverse proxy, which keeps the access log
    }
    command = [sys.executable, "-m", "sisamu.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log = (data_dir / f"serve-{port}.log").open("wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sisamu serve exited with {process.returncode}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("sisamu serve did not start")


def server_ms(response: Reply) -> float | None:
    for part in response.headers.get("server-timing", "").split(","):
        name, _, rest = part.strip().partition(";")
        if name == "distribute" and rest.startswith("dur="):
            return float(rest[4:])
    return None


@dataclass
class Load:
    clients: list[LeanClient]
    gateways: dict[str, str]
    seats: list[Seat]
    run: int
    open_file: bool
    in_flight: asyncio.Semaphore = field(init=False)
    queues: dict[tuple[str, str], asyncio.Queue[str]] = field(
        init=False
    )  # per run: a queue binds to its loop
    routed: set[str] = field(default_factory=set)
    unrouted: dict[str, set[str]] = field(default_factory=lambda: {samu_id: set() for samu_id in SAMUS})
    offered: int = 0
    unplaced: int = 0
    ended_at: list[float] = field(default_factory=list)
    decisions: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.in_flight = asyncio.Semaphore(len(self.seats))
        self.queues = {(s.samu_id, s.seat_id): asyncio.Queue() for s in self.seats}

    def client(self, n: int) -> LeanClient:
        return self.clients[n % len(self.clients)]

    def route(self, samu_id: str, seat_id: str, call_id: str) -> None:
        self.unrouted[samu_id].discard(call_id)
        if call_id not in self.routed:
            self.routed.add(call_id)
            self.queues[(samu_id, seat_id)].put_nowait(call_id)

    async def offerer(self, n: int, stop: float) -> None:
        rng = random.Random(n)
        client = self.client(n)
        while time.monotonic() < stop:
            try:
                await asyncio.wait_for(self.in_flight.acquire(), timeout=max(stop - time.monotonic(), 0.01))
            except TimeoutError:
                break
            samu_id = rng.choice(SAMUS)
            call_id = f"r{self.run}-{next(self.ids)}"
            body = {"call_id": call_id, "caller_number": f"06{rng.randrange(10**8):08d}"}
            headers = {"Authorization": f"Bearer {self.gateways[samu_id]}"}
            response = await client.post(f"{BASE.format(samu_id)}/calls", json=body, headers=headers)
            if response.status_code != 201:
                self.errors.append(f"offer {response.status_code} {response.text[:200]}")
                self.in_flight.release()
                continue
            self.offered += 1
            ms = server_ms(response)
            if ms is not None:
                self.decisions.append((time.monotonic(), ms))
            call = response.json()
            if call["state"] == "presented":
                self.route(call["handling_samu_id"], call["seat_id"], call_id)
            else:
                self.unplaced += 1
                if call_id not in self.routed:  # a later pass presents it: the sweeper finds where
                    self.unrouted[samu_id].add(call_id)

    async def arm(self, n: int, seat: Seat) -> None:
        client, auth = self.client(n), {"Authorization": f"Bearer {seat.token}"}
        base = BASE.format(seat.samu_id)
        while True:
            call_id = await self.queues[(seat.samu_id, seat.seat_id)].get()
            try:
                answered = await client.post(f"{base}/seats/{seat.seat_id}/answer", headers=auth)
                if answered.status_code != 200 or answered.json()["call_id"] != call_id:
                    self.errors.append(f"answer {answered.status_code} {answered.text[:200]}")
                    continue
                if self.open_file:
                    opened = await client.post(
                        f"/api/samus/{seat.samu_id}/files", json={"call_id": call_id}, headers=auth
                    )
                    if opened.status_code != 201:
                        self.errors.append(f"file {opened.status_code} {opened.text[:200]}")
                ended = await client.post(f"{base}/calls/{call_id}/end", headers=auth)
                if ended.status_code != 200:
                    self.errors.append(f"end {ended.status_code} {ended.text[:200]}")
                    continue
                self.ended_at.append(time.monotonic())
            finally:
                self.in_flight.release()

    async def sweeper(self) -> None:
        """Calls the offer's own pass could not place are presented by a later pass: find them at the seats (only
        in the rooms where such calls wait, so that the load generator's polling stays small)."""
        while True:
            await asyncio.sleep(0.05)
            for samu_id in [samu_id for samu_id, waiting in self.unrouted.items() if waiting]:
                auth = {
                    "Authorization": f"Bearer {next(s for s in self.seats if s.samu_id == samu_id).token}"
                }
                response = await self.clients[0].get(f"{BASE.format(samu_id)}/seats", headers=auth)
                for seat in response.json():
                    if seat["state"] == "presented" and seat["call_id"] and seat["call_id"].startswith("r"):
                        self.route(samu_id, seat["seat_id"], seat["call_id"])


async def one_run(
    ports: list[int],
    gateways: dict[str, str],
    seats: list[Seat],
    run: int,
    warmup_s: float,
    seconds: float,
    cpu: Cpu,
    open_file: bool,
) -> Run:
    clients = [LeanClient("127.0.0.1", p, connections=2 * len(seats)) for p in ports]
    load = Load(clients, gateways, seats, run, open_file)
    start = time.monotonic()
    stop = start + warmup_s + seconds
    workers = [asyncio.create_task(load.arm(n, seat)) for n, seat in enumerate(seats)]
    sweeper = asyncio.create_task(load.sweeper())
    samples = []

    async def sample_cpu() -> None:
        for at in (start + warmup_s, stop):
            await asyncio.sleep(max(at - time.monotonic(), 0))
            samples.append(cpu.sample())

    await asyncio.gather(sample_cpu(), *(load.offerer(n, stop) for n in range(len(seats))))
    window = (start + warmup_s, stop)
    done = sum(1 for t in load.ended_at if window[0] <= t < window[1])
    times = sorted(ms for t, ms in load.decisions if window[0] <= t < window[1])
    with suppress(TimeoutError):  # let the calls in flight finish, so that the next run starts clean
        await asyncio.wait_for(_drain(load), timeout=30)
    for task in [*workers, sweeper]:
        task.cancel()
    for client in clients:
        await client.aclose()
    p50 = statistics.median(times) if times else float("nan")
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else float("nan")
    per_call = {part: 1000 * used / max(done, 1) for part, used in Cpu.used(*samples).items()}
    return Run(done / seconds, p50, p99, load.unplaced, load.errors, per_call)


@dataclass
class Run:
    calls_per_s: float
    p50_ms: float
    p99_ms: float
    unplaced: int
    errors: list[str]
    cpu_ms_per_call: dict[str, float]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a local process has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Cpu:
    """CPU used by the servers, the database backends of the benchmark database (if local) and this client."""

    url: str
    servers: list[int]

    def sample(self) -> dict[str, dict[int, float]]:
        with psycopg.connect(libpq_url(self.url), autocommit=True) as conn:
            backends = [
                r[0]
                for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ]
        return {
            "server": {pid: cpu_s(pid) for pid in self.servers},
            "postgres": {pid: cpu_s(pid) for pid in backends},
            "client": {os.getpid(): time.process_time()},
        }

    @staticmethod
    def used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        return {
            part: sum(value - before[part].get(pid, 0.0) for pid, value in after[part].items())
            for part in after
        }


async def _drain(load: Load) -> None:
    for _ in range(len(load.seats)):
        await load.in_flight.acquire()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seats", type=int, default=8, help="ARM seats per SAMU (3 SAMUs)")
    parser.add_argument("--servers", type=int, default=1, help="`sisamu serve` instances on one database")
    parser.add_argument("--open-file", action="store_true", help="the ARM also opens the file from each call")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args()
    with fresh_database() as url:
        gateways, seats = prepare(url, args.seats)
        data_dir = Path(tempfile.mkdtemp(prefix="sisamu-acd-var-"))
        ports = [free_port() for _ in range(args.servers)]
        servers = [start_server(url, port, data_dir) for port in ports]
        try:
            for port, process in zip(ports, servers, strict=True):
                wait_ready(port, process)
            asyncio.run(log_in(ports[0], seats))
            cpu = Cpu(url, [p.pid for p in servers])
            runs: list[Run] = []
            for n in range(1, args.runs + 1):
                run = asyncio.run(
                    one_run(ports, gateways, seats, n, args.warmup, args.seconds, cpu, args.open_file)
                )
                runs.append(run)
                per_call = ", ".join(f"{part} {ms:.1f}" for part, ms in run.cpu_ms_per_call.items())
                print(
                    f"run {n}: {run.calls_per_s:.1f} calls/s, decision p50 {run.p50_ms:.2f} ms "
                    f"p99 {run.p99_ms:.2f} ms; CPU ms per call: {per_call}; {run.unplaced} offers left "
                    f"queued by their own pass; {len(run.errors)} errors {run.errors[:3] if run.errors else ''}",
                    flush=True,
                )
        finally:
            for process in servers:
                process.terminate()
            for process in servers:
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=20)
            if args.keep_logs:
                print(f"server logs in {data_dir}")
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
    cpu_per_call = {
        part: statistics.median(r.cpu_ms_per_call[part] for r in runs) for part in runs[0].cpu_ms_per_call
    }
    platform_ms = cpu_per_call["server"] + cpu_per_call["postgres"]
    print(
        f"servers={args.servers} seats={len(seats)} runs={args.runs} "
        f"decision_p50_ms={statistics.median(r.p50_ms for r in runs):.2f} "
        f"cpu_ms_per_call_server={cpu_per_call['server']:.1f} cpu_ms_per_call_postgres={cpu_per_call['postgres']:.1f} "
        f"cpu_ms_per_call_client={cpu_per_call['client']:.1f} "
        f"capacity_2_free_cores_calls_per_s={2000 / max(platform_ms, 1e-9):.0f} load={os.getloadavg()[0]:.1f}"
    )
    print(
        f"calls_per_s={statistics.median(r.calls_per_s for r in runs):.1f} "
        f"decision_p99_ms={statistics.median(r.p99_ms for r in runs):.2f}"
    )


async def log_in(port: int, seats: list[Seat]) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for seat in seats:
            response = await client.post(
                f"{BASE.format(seat.samu_id)}/seats/{seat.seat_id}/login",
                json={"after_call_work_s": 0},
                headers={"Authorization": f"Bearer {seat.token}"},
            )
            response.raise_for_status()


if __name__ == "__main__":
    main()
