"""The floor of `hub.py`: bare aio-pika through the same broker, same window and message size.

Persistent messages of `--size` bytes are published to a durable queue of their own on a channel with publisher
confirms, each waiting for its confirm, at most `--window` messages between publish and consume (so up to that
many unconfirmed, as the outbox relay publishes a batch); a consumer on a second connection (prefetch 32, as `HubTransport`) acknowledges each one.
No database, no validation, no outbox, no inbox, one broker hop: the least the stack costs to carry a message.
`msgs_per_s` = N / (first publish → last message consumed).

Alone: python benchmarks/floors/hub_floor.py [--messages 2000] [--window 16] [--size 4096]
RabbitMQ at SISAMU_HUB_URL (default amqp://guest:guest@127.0.0.1:5672/). Last line `floor_msgs_per_s=… p99_ms=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass

import aio_pika

BROKER_URL = os.environ.get("SISAMU_HUB_URL") or "amqp://guest:guest@127.0.0.1:5672/"
PREFETCH = 32  # sisamu.hubsante.transport.HubTransport.prefetch


@dataclass(frozen=True)
class Result:
    msgs_per_s: float
    p50_ms: float
    p99_ms: float


async def measure(messages: int, window: int = 16, size: int = 4096, url: str = BROKER_URL) -> Result:
    publisher = await aio_pika.connect(url)
    consumer = await aio_pika.connect(url)
    try:
        channel = await publisher.channel(publisher_confirms=True)
        queue_name = f"sisamu-floor-{uuid.uuid4().hex[:10]}"
        await channel.declare_queue(queue_name, durable=True)
        receiving = await consumer.channel()
        await receiving.set_qos(prefetch_count=PREFETCH)
        queue = await receiving.declare_queue(queue_name, durable=True, passive=True)
        body = b"x" * size
        in_flight = asyncio.Semaphore(window)
        sent: dict[str, float] = {}
        received: dict[str, float] = {}
        all_in = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            received[message.message_id or ""] = time.perf_counter()
            in_flight.release()
            if len(received) == messages:
                all_in.set()

        tag = await queue.consume(on_message)

        async def publish(message_id: str) -> None:  # returns on the broker's confirm
            await channel.default_exchange.publish(
                aio_pika.Message(
                    body, message_id=message_id, content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=queue_name,
            )  # fmt: skip

        started = time.perf_counter()
        confirms = []
        for n in range(messages):
            await in_flight.acquire()
            message_id = f"m{n}"
            sent[message_id] = time.perf_counter()
            confirms.append(asyncio.create_task(publish(message_id)))
        await asyncio.gather(*confirms)
        await asyncio.wait_for(all_in.wait(), timeout=60 + messages / 10)
        elapsed = max(received.values()) - started
        await queue.cancel(tag)
        await channel.queue_delete(queue_name)
        latencies = sorted((received[m] - sent[m]) * 1000 for m in sent)
        return Result(
            messages / elapsed,
            statistics.median(latencies),
            latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        )
    finally:
        await consumer.close()
        await publisher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--size", type=int, default=4096, help="message body in bytes")
    args = parser.parse_args()
    asyncio.run(measure(20, args.window, args.size))  # warm-up
    results = []
    for run in range(1, args.runs + 1):
        result = asyncio.run(measure(args.messages, args.window, args.size))
        results.append(result)
        print(
            f"run {run}: {result.msgs_per_s:.0f} msgs/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
        )
    print(f"messages={args.messages} window={args.window} size={args.size} load={os.getloadavg()[0]:.1f}")
    print(
        f"floor_msgs_per_s={statistics.median(r.msgs_per_s for r in results):.1f} "
        f"p99_ms={statistics.median(r.p99_ms for r in results):.1f}"
    )


if __name__ == "__main__":
    main()
