"""The floor of `acd.py`: the same stack answering three requests per call with one single-row write each.

uvicorn + FastAPI (synchronous routes on the same 4 worker threads as `sisamu serve`) + SQLAlchemy/psycopg with
the same pool, on the same PostgreSQL, driven by the same lean keep-alive client with as many calls in flight as
`acd.py` has seats. A call = `POST /floor/calls` (INSERT one row), `POST /floor/calls/{id}/answer` and
`POST /floor/calls/{id}/end` (an UPDATE of that row each), each in its own transaction. No access check, no
audit, no event: what is left is the least the stack costs for three requests and three writes.

Alone: python benchmarks/floors/acd_floor.py [--seconds 10] [--concurrency 24]
(a fresh database on SISAMU_DATABASE_URL's server, else an embedded PostgreSQL). Last line `floor_calls_per_s=…`.
`python benchmarks/floors/acd_floor.py serve --database-url URL --port P` runs the server only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # run alone: the benchmarks folder holds lean_http and the floors package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from lean_http import LeanClient
from pydantic import BaseModel

TABLE = """CREATE TABLE IF NOT EXISTS floor_call (
    call_id text PRIMARY KEY, samu_id text NOT NULL, caller_number text NOT NULL, state text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())"""


class Offer(BaseModel):
    call_id: str
    caller_number: str


def create_app(database_url: str, worker_threads: int = 4) -> Any:
    import anyio.to_thread
    from fastapi import FastAPI
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, pool_size=10, max_overflow=20)  # as sisamu.storage.database
    with engine.begin() as conn:
        conn.execute(text(TABLE))

    def change(statement: str, **values: str) -> dict[str, Any]:
        with engine.begin() as conn:
            row = conn.execute(text(statement), values).mappings().one()
        return {"call_id": row["call_id"], "state": row["state"], "updated_at": row["updated_at"].isoformat()}

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads
        yield

    app = FastAPI(openapi_url=None, lifespan=lifespan)

    @app.post("/floor/samus/{samu_id}/calls", status_code=201)
    def offer(samu_id: str, body: Offer) -> dict[str, Any]:
        return change(
            "INSERT INTO floor_call (call_id, samu_id, caller_number, state) "
            "VALUES (:call_id, :samu_id, :caller_number, 'presented') RETURNING *",
            call_id=body.call_id, samu_id=samu_id, caller_number=body.caller_number,
        )  # fmt: skip

    @app.post("/floor/samus/{samu_id}/calls/{call_id}/answer")
    def answer(samu_id: str, call_id: str) -> dict[str, Any]:
        return change(
            "UPDATE floor_call SET state = 'answered', updated_at = now() "
            "WHERE samu_id = :samu_id AND call_id = :call_id RETURNING *",
            samu_id=samu_id, call_id=call_id,
        )  # fmt: skip

    @app.post("/floor/samus/{samu_id}/calls/{call_id}/end")
    def end(samu_id: str, call_id: str) -> dict[str, Any]:
        return change(
            "UPDATE floor_call SET state = 'ended', updated_at = now() "
            "WHERE samu_id = :samu_id AND call_id = :call_id RETURNING *",
            samu_id=samu_id, call_id=call_id,
        )  # fmt: skip

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve(database_url: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        create_app(database_url), host="127.0.0.1", port=port, log_level="warning", access_log=False,
        proxy_headers=False,
    )  # fmt: skip
    uvicorn.Server(config).run()


def start(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The floor's server in a subprocess, ready to answer."""
    command = [sys.executable, str(Path(__file__).resolve()), "serve", "--database-url", database_url]
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the acd floor exited with {process.returncode}: {log.read_text()[-2000:]}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the acd floor did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)


async def measure(port: int, concurrency: int, warmup_s: float, seconds: float, run: int = 1) -> float:
    """Calls per second: `concurrency` calls in flight, each its three requests in turn."""
    client = LeanClient("127.0.0.1", port, connections=2 * concurrency)
    samus = ("250", "680", "700")
    start_at = time.monotonic()
    window = (start_at + warmup_s, start_at + warmup_s + seconds)
    ended: list[float] = []

    async def caller(n: int) -> None:
        samu_id, k = samus[n % len(samus)], 0
        base = f"/floor/samus/{samu_id}/calls"
        while time.monotonic() < window[1]:
            call_id = f"f{run}-{n}-{k}"
            k += 1
            steps = [
                (base, {"call_id": call_id, "caller_number": f"06{n:04d}{k:04d}"}, 201),
                (f"{base}/{call_id}/answer", None, 200),
                (f"{base}/{call_id}/end", None, 200),
            ]
            for path, body, status in steps:
                reply = await client.post(path, json=body, headers={"Authorization": "Bearer floor"})
                if reply.status_code != status:
                    raise RuntimeError(f"floor {path}: {reply.status_code} {reply.text[:200]}")
            ended.append(time.monotonic())

    try:
        await asyncio.gather(*(caller(n) for n in range(concurrency)))
    finally:
        await client.aclose()
    return sum(1 for t in ended if window[0] <= t < window[1]) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    served = sub.add_parser("serve")
    served.add_argument("--database-url", required=True)
    served.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=24, help="calls in flight (acd.py: its seats)")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.database_url, args.port)
        return
    from floors.databases import fresh_database

    with fresh_database("sisamu_acd_floor") as url, tempfile.TemporaryDirectory() as folder:
        port = free_port()
        process = start(url, port, Path(folder) / "floor.log")
        try:
            calls_per_s = asyncio.run(measure(port, args.concurrency, args.warmup, args.seconds))
        finally:
            stop(process)
    print(f"concurrency={args.concurrency} seconds={args.seconds} load={os.getloadavg()[0]:.1f}")
    print(f"floor_calls_per_s={calls_per_s:.1f}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
