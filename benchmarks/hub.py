"""Hub Santé transport, end to end through the real broker: messages validated, stored and relayed per second.

One fresh database (an embedded PostgreSQL in a temporary folder, or a new database on the server named by
SISAMU_DATABASE_URL) holds two SAMUs, 250 (fr.health.samu250) and 680 (fr.health.samu680). A local hub lives in a
RabbitMQ vhost of its own (`sisamu-bench-…`, deleted at the end). Three subprocesses (multiprocessing, spawn) use
the two cores: the hub's dispatcher; SAMU 250 (its `OutboxRelay` and its `HubConsumer`, which receives the Acks);
SAMU 680 (its `HubConsumer` and `Inbox`, and its relay, which sends the Acks back). This process is the
producer: `--producers` threads each run business transactions (`UnitOfWork` + `outbox.enqueue`) of one RS-EDA
(an official example in an envelope of its own, unique `distributionID`), at most `--window` messages in flight.

Measured per message: enqueue commit (validated and stored at 250) → published with publisher confirm by the relay
→ checked and routed by the hub → consumed, validated, stored and applied at 680 (time taken after the inbox
transaction committed) → and, for the Ack round trip, the RC-REF back at 250 and applied there.
`msgs_per_s` = N / (first enqueue started → last message applied at 680); `p50_ms`, `p99_ms` = enqueue commit →
applied at 680, at that load (mostly time queued behind the window: Little's law); `ack_p50_ms`, `ack_p99_ms` =
enqueue commit → Ack applied at 250. After each run `--probe` messages go one at a time: `idle_p50_ms`,
`idle_p99_ms` are the pipeline's own latency, without queueing. Medians over the runs. Each subprocess reports its
CPU time and the time its serial stage takes per message (inbox, relay batch, hub dispatch) to show the bottleneck.

Usage: python benchmarks/hub.py [--messages 400] [--runs 3] [--producers 4] [--window 16] [--probe 30]
RabbitMQ at SISAMU_HUB_URL (default amqp://guest:guest@127.0.0.1:5672/), `rabbitmqctl` for the vhost.
The floor (`floors/hub_floor.py`), measured after each run through the same broker: bare aio-pika, persistent
messages of the same size with publisher confirms, the same window, consumed and acknowledged — one hop, no
database. The ratio of the medians is the figure to watch (goal ≥ 0.25); the platform's path crosses the broker
twice (relay → hub's dispatcher → consumer) and commits at both ends.
Progress on stderr, figures on stdout, last line `msgs_per_s=… p99_ms=… floor_msgs_per_s=… ratio_to_floor=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floors import hub_floor
from floors.databases import fresh_database

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event as MpEvent

    from sisamu.hubsante.inbox import Outcome
    from sisamu.hubsante.local_hub import LocalHub

# An official example from the test data (tests/data/PROVENANCE.md).
EXAMPLE = (
    Path(__file__).resolve().parents[1]
    / "tests/data/hubsante/examples/RS-EDA/RS-EDA_partageDossier_DidierMorel.01a.json"
)
SENDER = ("250", "fr.health.samu250")
RECEIVER = ("680", "fr.health.samu680")
BROKER_URL = os.environ.get("SISAMU_HUB_URL") or "amqp://guest:guest@127.0.0.1:5672/"
WARMUP = 20


# --- subprocesses ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubPlace:
    """Where the local hub is: its vhost (or, without `rabbitmqctl`, the name prefix in `/`)."""

    vhost: str
    own_vhost: bool = True
    prefix: str = ""

    def local_hub(self) -> LocalHub:
        from sisamu.hubsante.local_hub import LocalHub, Topology

        hub = LocalHub([SENDER[1], RECEIVER[1]], url=BROKER_URL, vhost=self.vhost)
        hub.own_vhost = self.own_vhost
        hub.topology = Topology(tuple(hub.client_ids), prefix=self.prefix)
        return hub


def worker(role: str, place: HubPlace, database_url: str, events: Any, stop: MpEvent) -> None:
    """Entry point of a subprocess: `hub` (dispatcher) or a SAMU id (relay + consumer)."""
    logging.basicConfig(level=logging.WARNING, format=f"[{role}] %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(
            _run_hub(place, events, stop)
            if role == "hub"
            else _run_samu(role, place, database_url, events, stop)
        )
    except BaseException:
        events.put(("error", role, traceback.format_exc()))
        raise


async def _run_hub(place: HubPlace, events: Any, stop: MpEvent) -> None:
    from sisamu.hubsante.local_hub import LocalHub

    async with LocalHub([SENDER[1], RECEIVER[1]], url=BROKER_URL, vhost=place.vhost) as hub:
        dispatcher, busy = hub.dispatcher, [0.0]
        dispatch = dispatcher.dispatch

        async def timed_dispatch(*args: Any) -> None:  # one delivery: checks, publish, confirm, ack
            started = time.perf_counter()
            await dispatch(*args)
            busy[0] += time.perf_counter() - started

        dispatcher.dispatch = timed_dispatch  # type: ignore[method-assign]
        events.put(("ready", "hub", (hub.own_vhost, hub.topology.prefix)))  # plain data: pickled across
        await asyncio.to_thread(stop.wait)
        stats = {"routed": dispatcher.routed, "rejected": dispatcher.rejected}
        stats |= {"ms_per_dispatch": _per(busy[0], dispatcher.routed)}
        events.put(("stats", "hub", stats | {"cpu_ms_per_msg": _per(time.process_time(), dispatcher.routed)}))
    events.put(("stopped", "hub", None))


async def _run_samu(samu_id: str, place: HubPlace, database_url: str, events: Any, stop: MpEvent) -> None:
    from sisamu.hubsante.consumer import HubConsumer
    from sisamu.hubsante.inbox import Inbox
    from sisamu.hubsante.relay import OutboxRelay
    from sisamu.storage.bus import MessageBus
    from sisamu.storage.database import Database
    from sisamu.storage.uow import UnitOfWork

    class TimedInbox(Inbox):
        """Reports each applied message, with the time its inbox transaction committed, to the benchmark."""

        busy_s = 0.0

        def receive(self, body: bytes) -> Outcome:
            started = time.perf_counter()
            outcome = super().receive(body)
            TimedInbox.busy_s += time.perf_counter() - started
            if outcome.applied:
                events.put(
                    ("applied", self.samu_id, (outcome.distribution_id, outcome.reply_id, time.time()))
                )
            elif outcome.status != "duplicate":
                events.put(
                    ("refused", self.samu_id, (outcome.distribution_id, outcome.status, outcome.error))
                )
            return outcome

    client_id = dict((SENDER, RECEIVER))[samu_id]
    database = Database(url=database_url)
    transport = place.local_hub().transport(client_id)
    relay = OutboxRelay(database.engine, database.libpq_url, transport, samu_id)
    consumer = HubConsumer(
        TimedInbox(lambda: UnitOfWork(database.engine, MessageBus()), samu_id, client_id), transport
    )
    relay_busy = [0.0]
    relay_batch = relay.relay_batch

    async def timed_batch(*args: Any) -> int:  # claim, publish with confirms, mark sent: one transaction
        started = time.perf_counter()
        try:
            return await relay_batch(*args)
        finally:
            relay_busy[0] += time.perf_counter() - started

    relay.relay_batch = timed_batch  # type: ignore[method-assign]
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    try:
        await asyncio.wait_for(asyncio.gather(relay.connected.wait(), consumer.connected.wait()), 30)
        events.put(("ready", samu_id, None))
        await asyncio.to_thread(stop.wait)
        stats = {
            "sent": relay.sent,
            "failed": relay.failed,
            "relay_ms_per_msg": _per(relay_busy[0], relay.sent),
            **consumer.outcomes,
            "inbox_ms_per_msg": _per(TimedInbox.busy_s, sum(consumer.outcomes.values())),
            "cpu_ms_per_msg": _per(time.process_time(), relay.sent),
        }
        events.put(("stats", samu_id, stats))
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        database.close()
    events.put(("stopped", samu_id, None))


def _per(seconds: float, count: int) -> float:
    return round(seconds * 1000 / max(count, 1), 2)


# --- this process: database, producer, measurements ------------------------------------------------------------


@dataclass
class Tracker:
    """What the subprocesses reported: applied at the receiver, Acks applied at the sender."""

    applied: dict[str, float] = field(default_factory=dict)  # distributionID → applied at 680
    ack_of: dict[str, str] = field(default_factory=dict)  # Ack distributionID → the message it acknowledges
    acked: dict[str, float] = field(default_factory=dict)  # Ack distributionID → applied at 250
    refused: list[Any] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    ready: dict[str, Any] = field(default_factory=dict)
    stopped: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    window: threading.Semaphore | None = None

    def collect(self, events: Any) -> None:
        while (event := events.get()) is not None:
            with self.lock:
                self._record(*event)

    def _record(self, kind: str, role: str, data: Any) -> None:
        if kind == "applied" and role == RECEIVER[0]:
            distribution_id, reply_id, at = data
            self.applied[distribution_id] = at
            if reply_id:
                self.ack_of[reply_id] = distribution_id
            if self.window is not None:
                self.window.release()
        elif kind == "applied":
            self.acked[data[0]] = data[2]
        elif kind == "refused":
            self.refused.append((role, *data))
        elif kind in {"stats", "ready"}:
            getattr(self, kind)[role] = data
        elif kind == "stopped":
            self.stopped.add(role)
        else:
            self.errors.append(f"{role}: {data}")

    def acks_for(self, ids: set[str]) -> dict[str, float]:
        with self.lock:
            return {self.ack_of[a]: t for a, t in self.acked.items() if self.ack_of.get(a) in ids}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare_database(url: str) -> None:
    """Migrates the fresh database and adds the two SAMUs."""
    from sqlalchemy import create_engine, insert

    from sisamu import migrations as migrate
    from sisamu.storage.tables import samu

    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        for samu_id, hub_id in (SENDER, RECEIVER):
            conn.execute(
                insert(samu).values(
                    samu_id=samu_id, hub_id=hub_id, departement=samu_id[:2], name=f"SAMU {samu_id}",
                    city_insee=f"{samu_id[:2]}000", timezone="Europe/Paris",
                )
            )  # fmt: skip
    engine.dispose()


class Producer:
    """Business transactions at SAMU 250, each enqueuing one RS-EDA for SAMU 680; commit times by distributionID."""

    def __init__(self, database_url: str, threads: int) -> None:
        from sqlalchemy import create_engine

        from sisamu.hubsante.envelope import parse_document

        self.engine = create_engine(database_url, pool_size=threads, max_overflow=0)
        self.body = parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8"))).body
        self.threads = threads
        self.committed: dict[str, float] = {}

    def message_size(self) -> int:
        """Bytes of one message as the relay publishes it (the floor sends as many)."""
        from sisamu.hubsante.envelope import new_message
        from sisamu.hubsante.message_types import RS_EDA

        message = new_message(
            RS_EDA, self.body, sender_id=SENDER[1], recipient_id=RECEIVER[1], sent_at=datetime.now(UTC)
        )
        return len(json.dumps(message.to_envelope(), ensure_ascii=False, separators=(",", ":")).encode())

    def one(self) -> None:
        from sisamu.hubsante import outbox
        from sisamu.hubsante.envelope import new_message
        from sisamu.hubsante.message_types import RS_EDA
        from sisamu.storage.bus import MessageBus
        from sisamu.storage.uow import UnitOfWork

        message = new_message(
            RS_EDA, self.body, sender_id=SENDER[1], recipient_id=RECEIVER[1], sent_at=datetime.now(UTC)
        )
        with UnitOfWork(self.engine, MessageBus()) as uow:
            outbox.enqueue(uow, message, samu_id=SENDER[0])
        self.committed[message.distribution_id] = time.time()

    def run(self, count: int, window: threading.Semaphore | None) -> list[threading.Thread]:
        tickets = iter(range(count))
        lock = threading.Lock()

        def loop() -> None:
            while True:
                with lock:
                    if next(tickets, None) is None:
                        return
                if window is not None:
                    window.acquire()
                self.one()

        threads = [threading.Thread(target=loop, daemon=True) for _ in range(self.threads)]
        for thread in threads:
            thread.start()
        return threads


def wait_for(tracker: Tracker, check: Any, what: str, timeout_s: float, progress: Any = None) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if tracker.errors:
            raise RuntimeError("subprocess failed:\n" + "\n".join(tracker.errors))
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        if progress is not None:
            progress()
        time.sleep(0.05)


def one_run(
    producer: Producer, tracker: Tracker, count: int, window: int, progress: Any, task: Any
) -> dict[str, float]:
    producer.committed.clear()
    tracker.window = threading.Semaphore(window) if window > 0 else None
    started = time.time()
    threads = producer.run(count, tracker.window)

    def applied_now() -> int:
        with tracker.lock:
            return sum(1 for d in list(producer.committed) if d in tracker.applied)  # list(): one C call

    wait_for(
        tracker,
        lambda: len(producer.committed) == count and applied_now() == count,
        f"{count} messages applied",
        timeout_s=30 + count / 2,
        progress=lambda: progress.update(task, completed=applied_now()),
    )
    for thread in threads:
        thread.join()
    progress.update(task, completed=count)
    ids = set(producer.committed)
    wait_for(tracker, lambda: len(tracker.acks_for(ids)) == count, f"{count} Acks", timeout_s=30 + count / 4)
    with tracker.lock:
        applied = {d: tracker.applied[d] for d in ids}
    acks = tracker.acks_for(ids)
    latencies = [(applied[d] - producer.committed[d]) * 1000 for d in ids]
    ack_latencies = [(acks[d] - producer.committed[d]) * 1000 for d in ids]
    elapsed = max(applied.values()) - started
    return {
        "msgs_per_s": count / elapsed,
        "seconds": elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": quantile(latencies, 0.99),
        "ack_p50_ms": statistics.median(ack_latencies),
        "ack_p99_ms": quantile(ack_latencies, 0.99),
    }


def delete_vhost(vhost: str) -> None:
    if shutil.which("rabbitmqctl"):
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60, check=False)


def main() -> None:  # noqa: PLR0915 - one straight line: set up, run, report, clean up
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=400, help="messages per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--producers", type=int, default=4, help="concurrent business transactions")
    parser.add_argument("--window", type=int, default=16, help="messages in flight at most (0: no limit)")
    parser.add_argument("--probe", type=int, default=30, help="then, per run, messages sent one at a time")
    args = parser.parse_args()
    if min(args.messages, args.runs, args.producers, args.probe) < 1:
        parser.error("--messages, --runs, --producers and --probe must be at least 1")

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    database = contextlib.ExitStack()
    context = mp.get_context("spawn")
    events = context.Queue()
    stop = context.Event()
    tracker = Tracker()
    collector = threading.Thread(target=tracker.collect, args=(events,), daemon=True)
    collector.start()
    place = HubPlace(f"sisamu-bench-{uuid.uuid4().hex[:10]}")
    processes: list[Any] = []
    producer = None
    try:
        with console.status("database, local hub, relays and consumers…"):
            database_url = database.enter_context(fresh_database("sisamu_bench"))
            prepare_database(database_url)
            hub = context.Process(target=worker, args=("hub", place, database_url, events, stop), daemon=True)
            hub.start()
            processes.append(hub)
            wait_for(tracker, lambda: "hub" in tracker.ready, "the local hub", 90)
            place = HubPlace(place.vhost, *tracker.ready["hub"])
            for samu_id, _ in (SENDER, RECEIVER):
                process = context.Process(
                    target=worker, args=(samu_id, place, database_url, events, stop), daemon=True
                )
                process.start()
                processes.append(process)
            wait_for(tracker, lambda: {SENDER[0], RECEIVER[0]} <= set(tracker.ready), "the SAMUs", 60)
            producer = Producer(database_url, args.producers)
            warm = Progress(console=console, disable=True)
            one_run(producer, tracker, WARMUP, args.window, warm, warm.add_task("warm-up", total=WARMUP))
            size = producer.message_size()
            asyncio.run(hub_floor.measure(WARMUP, args.window or WARMUP, size))
        results = []
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as progress:
            for run in range(1, args.runs + 1):
                task = progress.add_task(f"run {run}/{args.runs}", total=args.messages)
                result = one_run(producer, tracker, args.messages, args.window, progress, task)
                task = progress.add_task(f"run {run}/{args.runs}, one at a time", total=args.probe)
                unloaded = one_run(producer, tracker, args.probe, 1, progress, task)
                result |= {"idle_p50_ms": unloaded["p50_ms"], "idle_p99_ms": unloaded["p99_ms"]}
                floor = asyncio.run(hub_floor.measure(args.messages, args.window or args.messages, size))
                result |= {"floor_msgs_per_s": floor.msgs_per_s, "floor_p99_ms": floor.p99_ms}
                results.append(result)
                print(
                    f"run {run}: {args.messages} messages in {result['seconds']:.2f} s = "
                    f"{result['msgs_per_s']:.1f} msgs/s; enqueue commit → applied p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms; → Ack back p50 {result['ack_p50_ms']:.1f} ms, "
                    f"p99 {result['ack_p99_ms']:.1f} ms; {args.probe} more one at a time: applied p50 "
                    f"{result['idle_p50_ms']:.1f} ms, p99 {result['idle_p99_ms']:.1f} ms; floor "
                    f"{floor.msgs_per_s:.0f} msgs/s, p99 {floor.p99_ms:.1f} ms",
                    flush=True,
                )
        stop.set()
        wait_for(tracker, lambda: len(tracker.stats) == len(processes), "the final counts", 30)
        sent = args.runs * (args.messages + args.probe) + WARMUP
        tracker.stats["producer"] = {"cpu_ms_per_msg": _per(time.process_time(), sent)}
        if tracker.refused:
            print(f"refused: {len(tracker.refused)}, first: {tracker.refused[0]}")
        print(
            "counts: "
            + "; ".join(
                f"{role} {json.dumps(stats, sort_keys=True)}" for role, stats in sorted(tracker.stats.items())
            )
        )
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(
            f"median over {args.runs} run(s) of {args.messages} RS-EDA, {args.producers} producers, window "
            f"{args.window or 'none'}, {os.cpu_count()} cores: p50_ms={median['p50_ms']:.1f} "
            f"idle_p50_ms={median['idle_p50_ms']:.1f} idle_p99_ms={median['idle_p99_ms']:.1f} "
            f"ack_p50_ms={median['ack_p50_ms']:.1f} ack_p99_ms={median['ack_p99_ms']:.1f} "
            f"floor_p99_ms={median['floor_p99_ms']:.1f} message_bytes={size}"
        )
        print(
            f"msgs_per_s={median['msgs_per_s']:.1f} p99_ms={median['p99_ms']:.1f} "
            f"floor_msgs_per_s={median['floor_msgs_per_s']:.1f} "
            f"ratio_to_floor={median['msgs_per_s'] / median['floor_msgs_per_s']:.3f}"
        )
    finally:
        stop.set()
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
        if "hub" not in tracker.stopped:
            delete_vhost(place.vhost)
        events.put(None)
        collector.join(5)
        if producer is not None:
            producer.engine.dispose()
        database.close()


if __name__ == "__main__":
    sys.exit(main())
