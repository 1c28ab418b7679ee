"""The floor of `console.py`: a minimal WebSocket server broadcasting the same events to the same consoles.

One process, the `websockets` library's asyncio server (no compression, as `sisamu serve`), one psycopg `LISTEN`
connection on the platform's channel (`sisamu_events`): each notification's payload goes as it is to every
connected client with `websockets.broadcast`. No authentication, no per-console permission check, no queue per
console: the least the same stack (Python, asyncio, PostgreSQL NOTIFY, WebSocket) costs to fan an event out.

Run by `console.py` after the platform's own run, with the same client processes and the same commits.
Alone: python benchmarks/floors/console_floor.py serve --database-url URL --port P (prints `ready` once listening).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CHANNEL = "sisamu_events"  # sisamu.storage.uow.CHANNEL


async def serve(libpq_url: str, port: int) -> None:
    import psycopg
    from websockets.asyncio.server import broadcast
    from websockets.asyncio.server import serve as websocket_server

    clients: set[Any] = set()

    async def console(websocket: Any) -> None:
        clients.add(websocket)
        try:
            await websocket.send(json.dumps({"kind": "hello"}))
            await websocket.wait_closed()
        finally:
            clients.discard(websocket)

    async with (
        websocket_server(console, "127.0.0.1", port, compression=None, max_queue=None),
        await psycopg.AsyncConnection.connect(libpq_url, autocommit=True) as conn,
    ):
        await conn.execute(f"LISTEN {CHANNEL}")
        print("ready", flush=True)
        async for notify in conn.notifies():
            broadcast(clients, notify.payload)


def start(libpq_url: str, port: int) -> subprocess.Popen[str]:
    """The floor's server in a subprocess, once it listens for WebSockets and for notifications."""
    command = [sys.executable, str(Path(__file__).resolve()), "serve", "--database-url", libpq_url]
    process = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        process.stdout.close()
        raise RuntimeError(f"the console floor did not start (exit {process.wait()})")
    return process


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(10)
    if process.stdout is not None:
        process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    served = sub.add_parser("serve")
    served.add_argument("--database-url", required=True, help="libpq URL")
    served.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.database_url, args.port))


if __name__ == "__main__":
    main()
