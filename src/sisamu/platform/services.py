"""Background services: what a process runs beside its requests (timers, Hub workers, adapters), started in the
running event loop and stopped at shutdown. `bootstrap.background_services` chooses them; the web app's lifespan
and `sisamu run` start them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from time import monotonic
from typing import Any, Protocol

log = logging.getLogger(__name__)


class BackgroundService(Protocol):
    def start(self) -> None:
        """Start (in the running event loop); returns at once."""
        ...

    async def stop(self) -> None: ...


def health(service: BackgroundService) -> tuple[str, bool]:
    """The service's name and whether it is doing its work (`/readyz`); a service that cannot tell is taken as
    healthy while it runs."""
    name = str(getattr(service, "name", type(service).__name__))
    check = getattr(service, "healthy", None)
    return name, bool(check()) if callable(check) else True


class TaskService:
    """A coroutine function run as a task until stopped; a crash is logged and the coroutine started again."""

    def __init__(self, name: str, run: Callable[[], Awaitable[None]], *, restart_s: float = 2.0) -> None:
        self.name = name
        self._run = run
        self._restart_s = restart_s
        self._task: asyncio.Task[None] | None = None
        self._failed_at: float | None = None  # monotonic time of the last crash

    async def _loop(self) -> None:
        while True:
            try:
                await self._run()
            except Exception:
                self._failed_at = monotonic()
                log.exception("%s stopped on an error; restarting in %.0f s", self.name, self._restart_s)
            await asyncio.sleep(self._restart_s)

    def healthy(self) -> bool:
        """Running, and not crashed since its last restart had time to settle."""
        if self._task is None or self._task.done():
            return False
        return self._failed_at is None or monotonic() - self._failed_at > self._restart_s + 5.0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class ThreadedService:
    """A service with blocking `start` and `stop` of its own (an MQTT client's network thread)."""

    def __init__(
        self,
        name: str,
        start: Callable[[], None],
        stop: Callable[[], None],
        *,
        healthy: Callable[[], bool] | None = None,
    ) -> None:
        self.name = name
        self._start, self._stop = start, stop
        self._healthy = healthy

    def healthy(self) -> bool:
        return self._healthy() if self._healthy is not None else True

    def start(self) -> None:
        self._start()

    async def stop(self) -> None:
        await asyncio.to_thread(self._stop)


class PeriodicPass:
    """A blocking pass (`work`, one or more transactions) run in a worker thread every `interval_s`, so the event
    loop keeps serving requests; a failing pass is logged and the next one runs on time. `stop` waits for the pass
    in hand: a thread never goes on using a platform that is closing."""

    def __init__(
        self, name: str, work: Callable[[], Any], *, interval_s: float, enabled: bool = True
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self.enabled = enabled
        self.passes = 0
        self._work = work
        self._task: asyncio.Task[None] | None = None
        self._pass: asyncio.Future[Any] | None = None
        self._last_ok: float | None = None  # monotonic: the start, then the end of each pass that succeeded

    def report(self, done: Any) -> None:
        """What a pass did, for the log (subclasses say more)."""

    async def run(self) -> None:
        while True:
            self._pass = asyncio.ensure_future(asyncio.to_thread(self._work))
            try:
                self.report(await asyncio.shield(self._pass))
                self._last_ok = monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: pass failed", self.name)
            self._pass = None
            self.passes += 1
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        """Start the loop in the running event loop (nothing when not `enabled`)."""
        if self._task is None and self.enabled:
            self._last_ok = monotonic()
            self._task = asyncio.get_running_loop().create_task(self.run(), name=self.name)

    def healthy(self) -> bool:
        """Off by configuration, or running with a pass succeeded lately (three intervals, at least 30 s: a pass
        may be long, a failed one is retried on time)."""
        if not self.enabled:
            return True
        if self._task is None or self._task.done() or self._last_ok is None:
            return False
        return monotonic() - self._last_ok < max(3 * self.interval_s, 30.0)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        running, self._pass = self._pass, None
        if running is not None:
            with contextlib.suppress(Exception):
                await running
