"""Console latency: a committed change → its arrival at every connected console (WebSocket), with N clients.

Starts the real server (`sisamu serve`) on the embedded PostgreSQL (or SISAMU_DATABASE_URL), connects N WebSocket
clients with a bearer token, commits K events and measures, for every (console, event), the time from just before
COMMIT to the message's arrival. Prints p50/p99 over all deliveries; last line `clients=… p50_ms=… p99_ms=…`.
The clients run in this process, on the same 2 cores as the server: their own cost is included.

    python benchmarks/console.py --clients 2000 --events 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from sisamu import migrations as migrate
from sisamu.bootstrap import build_platform
from sisamu.config import Settings
from sisamu.domain.events import LiveEvent
from sisamu.platform import Platform
from sisamu.security import service, store
from sisamu.security.roles import Role
from sisamu.storage.tables import samu


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(platform: Platform) -> str:
    migrate.upgrade_database(platform.database)
    with platform.uow() as uow:
        uow.execute(
            samu.insert().values(
                samu_id="250",
                hub_id="fr.health.samu250",
                departement="25",
                name="Besançon",
                city_insee="25056",
                timezone="Europe/Paris",
            )
        )
        created = service.create_account(
            uow,
            username="bench.supervisor",
            display_name="Bench",
            role=Role.SUPERVISOR,
            samu_id="250",
            password=None,
            now=platform.clock.now(),
            with_totp=False,
        )
    with platform.engine.connect() as conn:
        principal = store.principal_from_row(store.account_by_username(conn, created.username))
    with platform.uow() as uow:
        return service.issue_token(uow, principal=principal, name="bench", now=platform.clock.now())


async def _consoles(url: str, token: str, count: int, events: int, ready: Any) -> list[tuple[str, float]]:
    """`count` WebSocket consoles in this process; returns (event id, wall-clock arrival) for every delivery."""
    arrivals: list[tuple[str, float]] = []
    connected = 0
    all_connected = asyncio.Event()

    async def console() -> None:
        nonlocal connected
        async with websockets.connect(
            f"ws://{url}/ws/live",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=120,
            max_queue=None,
            compression=None,
        ) as ws:
            json.loads(await ws.recv())  # hello
            connected += 1
            if connected == count:
                all_connected.set()
            for _ in range(events):
                message = json.loads(await ws.recv())
                arrivals.append((message["id"], time.time()))

    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(console()))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(all_connected.wait(), timeout=300)
    ready.put(count)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=600)
    return arrivals


def _client_process(url: str, token: str, count: int, events: int, ready: Any, results: Any) -> None:
    results.put(asyncio.run(_consoles(url, token, count, events, ready)))


def run(
    urls: list[str], token: str, clients: int, events: int, processes: int, platform: Platform
) -> list[float]:
    """Clients live in their own processes (as browsers live on their own machines); this one commits."""
    ctx = multiprocessing.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    workers = [
        ctx.Process(target=_client_process, args=(urls[i % len(urls)], token, n, events, ready, results))
        for i, n in enumerate(shares)
        if n
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get(timeout=600)
    print(f"{clients} consoles connected in {len(workers)} processes", file=sys.stderr)
    sent_at: dict[str, float] = {}
    for k in range(events):
        event_id = f"e{k}"
        with platform.uow() as uow:
            uow.emit(LiveEvent(samu_id="250", kind="bench.tick", object_id=event_id))
            sent_at[event_id] = time.time()  # just before COMMIT
        commit_ms = (time.time() - sent_at[event_id]) * 1000
        if commit_ms > 50:
            print(f"  {event_id}: COMMIT took {commit_ms:.0f} ms", file=sys.stderr)
        time.sleep(0.3)
    arrivals = [item for _ in workers for item in results.get(timeout=600)]
    for w in workers:
        w.join(30)
    if os.environ.get("SISAMU_BENCH_PER_EVENT"):
        by_event: dict[str, list[float]] = {}
        for event_id, arrival in arrivals:
            by_event.setdefault(event_id, []).append((arrival - sent_at[event_id]) * 1000)
        for event_id in sorted(by_event, key=lambda e: int(e[1:])):
            values = sorted(by_event[event_id])
            print(
                f"  {event_id}: min={values[0]:.0f} p50={statistics.median(values):.0f} max={values[-1]:.0f} ms"
            )
    return [arrival - sent_at[event_id] for event_id, arrival in arrivals]


def wait_ready(port: int) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2, help="client processes (default 2)")
    parser.add_argument(
        "--servers", type=int, default=1, help="server instances sharing the consoles (default 1)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sisamu-bench-"))
    folder.chmod(0o755)
    settings = Settings(data_dir=folder, database_url=os.environ.get("SISAMU_DATABASE_URL"))
    platform = build_platform(settings)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        token = prepare(platform)
        urls = []
        for _ in range(args.servers):
            port = free_port()
            env = {
                **os.environ,
                "SISAMU_DATABASE_URL": platform.database.url,
                "SISAMU_PORT": str(port),
                # Every console of the benchmark shares one account's token (production: a few per account).
                "SISAMU_LIVE_MAX_SOCKETS_PER_ACCOUNT": str(args.clients + 1),
            }
            servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        *os.environ.get("SISAMU_BENCH_PYTHON_ARGS", "").split(),
                        "-m",
                        "sisamu.cli",
                        "serve",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_ready(port)
            urls.append(f"127.0.0.1:{port}")
        latencies = run(urls, token, args.clients, args.events, args.processes, platform)
        ms = sorted(x * 1000 for x in latencies)
        p50 = statistics.median(ms)
        p99 = ms[int(0.99 * (len(ms) - 1))]
        print(f"max_ms={ms[-1]:.1f}")
        print(f"events={args.events} deliveries={len(ms)}")
        print(f"servers={args.servers} client_processes={args.processes}")
        print(f"clients={args.clients} p50_ms={p50:.1f} p99_ms={p99:.1f}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        platform.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
