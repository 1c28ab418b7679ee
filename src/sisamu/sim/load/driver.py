"""The load run: simulated callers and ARMs driving a running platform through its HTTP API (httpx, asyncio).

Per SAMU: the gateway (its machine token) offers calls at the shape's instants; each caller hangs up when their
patience (exponential) runs out before an answer. Simulated ARMs (one ARM token and seat `LOAD-nn` each) log in;
one poller per SAMU reads the seats and, when a call rings at a simulated seat, its ARM picks up after a
human-like delay, opens the file with the call id, PATCHes the qualification, talks, hands the file over to
medical regulation (or not), ends the call, and after a short wrap-up says it is ready.

Everything is bounded: offers stop at `duration_s` (or when `max_requests` is spent); then every caller still
waiting hangs up, conversations end at once, and after at most `drain_s` the seats log out. Everything runs on one
event loop, so "claimed by an ARM" and "hung up" are decided without races on the client side.
"""

from __future__ import annotations

import asyncio
import enum
import random
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx

from sisamu.sim.load.shape import LoadShape, arrival_times
from sisamu.sim.load.stats import TRANSPORT_ERROR, LoadStats

__all__ = ["LoadConfig", "LoadRun", "RoomTokens", "seat_id_for"]

SEAT_PREFIX = "LOAD-"
Progress = Callable[[LoadStats, float], None]


def seat_id_for(index: int) -> str:
    return f"{SEAT_PREFIX}{index + 1:02d}"


@dataclass(frozen=True, slots=True)
class RoomTokens:
    samu_id: str
    gateway_token: str
    arm_tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoadConfig:
    url: str
    rooms: tuple[RoomTokens, ...]
    shape: LoadShape
    duration_s: float = 60.0
    seed: int = 15
    answer_delay_s: tuple[float, float] = (
        1.0,
        4.0,
    )  # ring → pick-up (uniform), well under the 20 s ring timeout
    typing_s: tuple[float, float] = (0.5, 2.0)  # file opened → qualification PATCH (uniform)
    talk_s: float = 20.0  # mean conversation after the PATCH (exponential, capped at 4×)
    patience_s: float = 60.0  # mean caller patience before an answer (exponential)
    after_call_work_s: int = 5  # declared at log-in; the ARM says "ready" before it runs out
    handover_share: float = 0.7  # files handed over to medical regulation
    poll_s: float = 0.5  # seat polling period per SAMU
    max_requests: int = 200_000  # offers and polls stop once this many requests were made
    max_in_flight: int = 50
    drain_s: float = 30.0
    timeout_s: float = 10.0
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))


class CallerState(enum.Enum):
    WAITING = "waiting"
    CLAIMED = "claimed"  # an ARM is picking up: the caller no longer hangs up
    GONE = "gone"  # hung up


@dataclass(eq=False)
class Arm:
    samu_id: str
    seat_id: str
    token: str
    logged_in: bool = False
    current: str | None = None
    done: set[str] = field(default_factory=set)


class LoadRun:
    def __init__(self, config: LoadConfig, *, progress: Progress | None = None) -> None:
        self.config = config
        self.stats = LoadStats()
        self.progress = progress
        self.rng = random.Random(config.seed)  # noqa: S311 - a simulation, not a secret
        self.callers: dict[str, CallerState] = {}
        self.arms: dict[tuple[str, str], Arm] = {
            (room.samu_id, seat_id_for(i)): Arm(room.samu_id, seat_id_for(i), token)
            for room in config.rooms
            for i, token in enumerate(room.arm_tokens)
        }
        self.stopping = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.budget_spent = False
        # Every request: offsets from the start, operation, status (0: no answer), the call or file it acted on.
        self.ledger: list[dict[str, Any]] = []
        self.started_epoch = 0.0
        self._t0 = 0.0
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(config.max_in_flight)

    # ---- plumbing ------------------------------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _pause(self, seconds: float) -> bool:
        """Sleep `seconds` unless the run is stopping; True when it is."""
        if self.stopping.is_set():
            return True
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=max(seconds, 0.0))
        except TimeoutError:
            return False
        return True

    async def _request(
        self,
        operation: str,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        *,
        optional: bool = False,
        key: str | None = None,
    ) -> httpx.Response | None:
        """One API request, timed, counted and kept in the ledger (with `key`, the call or file it acts on);
        `optional` ones (offers, polls) stop once the budget is spent."""
        if optional and self.stats.requests >= self.config.max_requests:
            self.budget_spent = True
            self.stopping.set()
            return None
        assert self._client is not None
        async with self._slots:
            started = time.perf_counter()
            try:
                response = await self._client.request(
                    method, path, json=body, headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError:
                self.stats.record(operation, TRANSPORT_ERROR, time.perf_counter() - started)
                self._keep(operation, started, TRANSPORT_ERROR, key)
                return None
        self.stats.record(operation, response.status_code, time.perf_counter() - started)
        self._keep(operation, started, response.status_code, key)
        return response

    def _keep(self, operation: str, started: float, status: int | str, key: str | None) -> None:
        entry = {"t0": round(started - self._t0, 4), "t1": round(self.elapsed(), 4), "op": operation}
        self.ledger.append(entry | {"status": status, "key": key})

    # ---- callers (the gateway) -----------------------------------------------------------------------------------

    async def _offers(self, room: RoomTokens, times: list[float]) -> None:
        for n, at in enumerate(times):
            if await self._pause(at - self.elapsed()):
                return
            self._spawn(self._call(room, n))

    async def _call(self, room: RoomTokens, n: int) -> None:
        call_id = f"load-{self.config.run_id}-{room.samu_id}-{n}"
        offered_at = self.elapsed()
        self.callers[call_id] = (
            CallerState.WAITING
        )  # before the request: the ring may be seen before the answer
        number = f"06{self.rng.randrange(10**8):08d}"
        response = await self._request(
            "offer", "POST", f"/api/samus/{room.samu_id}/telephony/calls", room.gateway_token,
            {"call_id": call_id, "caller_number": number}, optional=True, key=call_id,
        )  # fmt: skip
        if response is None or response.status_code != HTTPStatus.CREATED:
            self.callers[call_id] = CallerState.GONE
            return
        self.stats.offered += 1
        patience = self.rng.expovariate(1 / self.config.patience_s)
        await self._pause(offered_at + patience - self.elapsed())
        if self.callers[call_id] is CallerState.WAITING:
            await self._hang_up(room, call_id)

    async def _hang_up(self, room: RoomTokens, call_id: str) -> None:
        self.callers[call_id] = CallerState.GONE
        path = f"/api/samus/{room.samu_id}/telephony/calls/{call_id}/hangup"
        response = await self._request("hangup", "POST", path, room.gateway_token, key=call_id)
        if response is not None and response.status_code == HTTPStatus.OK:
            self.stats.abandoned += 1
            self.stats.abandoned_at_end += self.stopping.is_set()

    # ---- ARMs ------------------------------------------------------------------------------------------------------

    def _seats_path(self, samu_id: str) -> str:
        return f"/api/samus/{samu_id}/telephony/seats"

    async def _log_in(self, arm: Arm, state: str | None) -> None:
        if state not in {None, "logged_out"}:  # left logged in by an interrupted run: start clean
            await self._request(
                "logout", "POST", f"{self._seats_path(arm.samu_id)}/{arm.seat_id}/logout", arm.token
            )
        body = {"after_call_work_s": self.config.after_call_work_s}
        path = f"{self._seats_path(arm.samu_id)}/{arm.seat_id}/login"
        response = await self._request("login", "POST", path, arm.token, body)
        arm.logged_in = response is not None and response.status_code == HTTPStatus.OK

    async def _log_in_room(self, room: RoomTokens) -> None:
        if not room.arm_tokens:
            return
        response = await self._request("seats", "GET", self._seats_path(room.samu_id), room.arm_tokens[0])
        states: dict[str, str] = {}
        if response is not None and response.status_code == HTTPStatus.OK:
            states = {seat["seat_id"]: seat["state"] for seat in response.json()}
        arms = [arm for arm in self.arms.values() if arm.samu_id == room.samu_id]
        await asyncio.gather(*(self._log_in(arm, states.get(arm.seat_id)) for arm in arms))

    async def _poll(self, room: RoomTokens) -> None:
        """Read the room's seats every `poll_s`; a call ringing at an idle simulated seat goes to its ARM."""
        while not self.stopping.is_set():
            path = self._seats_path(room.samu_id)
            response = await self._request("seats", "GET", path, room.arm_tokens[0], optional=True)
            if response is not None and response.status_code == HTTPStatus.OK:
                for seat in response.json():
                    arm = self.arms.get((room.samu_id, seat["seat_id"]))
                    call_id = seat.get("call_id")
                    if arm is None or seat["state"] != "presented" or not call_id:
                        continue
                    if arm.logged_in and arm.current is None and call_id not in arm.done:
                        arm.current = call_id
                        self._spawn(self._handle(arm, call_id))
            await self._pause(self.config.poll_s)

    async def _handle(self, arm: Arm, call_id: str) -> None:
        try:
            await self._take_call(arm, call_id)
        finally:
            arm.done.add(call_id)
            arm.current = None

    async def _take_call(self, arm: Arm, call_id: str) -> None:
        config, samu = self.config, arm.samu_id
        self.stats.presented += 1
        await self._pause(self.rng.uniform(*config.answer_delay_s))
        if (
            self.stopping.is_set()
            or self.callers.get(call_id, CallerState.WAITING) is not CallerState.WAITING
        ):
            return  # the caller hung up meanwhile (the platform withdraws the ring), or the run is over
        self.callers[call_id] = CallerState.CLAIMED
        seat_path = f"{self._seats_path(samu)}/{arm.seat_id}"
        answered = await self._request("answer", "POST", f"{seat_path}/answer", arm.token, key=call_id)
        if answered is None or answered.status_code != HTTPStatus.OK:
            self.callers[call_id] = CallerState.WAITING  # not ours after all: the caller keeps waiting
            return
        self.stats.answered += 1
        number = await self._file(arm, call_id, answered.json().get("caller_number"))
        await self._pause(min(self.rng.expovariate(1 / config.talk_s), 4 * config.talk_s))
        if number is not None and self.rng.random() < config.handover_share:
            done = await self._request(
                "handover", "POST", f"/api/files/{number}/handover", arm.token, key=number
            )
            if done is not None and done.status_code == HTTPStatus.OK:
                self.stats.handed_over += 1
        path = f"/api/samus/{samu}/telephony/calls/{call_id}/end"
        ended = await self._request("end", "POST", path, arm.token, key=call_id)
        if ended is not None and ended.status_code == HTTPStatus.OK:
            self.stats.ended += 1
        wrap_up = self.rng.uniform(0.2, 0.6) * config.after_call_work_s
        if config.after_call_work_s > 0 and not await self._pause(wrap_up):
            await self._request("ready", "POST", f"{seat_path}/ready", arm.token)

    async def _file(self, arm: Arm, call_id: str, caller_number: str | None) -> str | None:
        """Open the file with the call id, then (after typing) PATCH its qualification; its number."""
        body = {"call_id": call_id, "qualification": {"caller_phone": caller_number, "priority": "P2"}}
        opened = await self._request(
            "file_open", "POST", f"/api/samus/{arm.samu_id}/files", arm.token, body, key=call_id
        )
        if opened is None or opened.status_code != HTTPStatus.CREATED:
            return None
        self.stats.files_opened += 1
        file = opened.json()
        number: str = file["number"]
        self.ledger.append({"t0": self.elapsed(), "t1": self.elapsed(), "op": "file_number", "status": 0,
                            "key": call_id, "number": number})  # fmt: skip
        await self._pause(self.rng.uniform(*self.config.typing_s))
        patch = {"version": file["version"], "motif": "M01.01", "caller_name": "Appelant simulé"}
        patched = await self._request(
            "file_qualify", "PATCH", f"/api/files/{number}", arm.token, patch, key=number
        )
        if patched is not None and patched.status_code == HTTPStatus.OK:
            self.stats.qualified += 1
        return number

    async def _log_out(self, arm: Arm) -> None:
        if arm.logged_in:
            await self._request(
                "logout", "POST", f"{self._seats_path(arm.samu_id)}/{arm.seat_id}/logout", arm.token
            )
            arm.logged_in = False

    # ---- the run ---------------------------------------------------------------------------------------------------

    async def _ticker(self) -> None:
        while self.progress is not None:
            self.progress(self.stats, self.elapsed())
            await asyncio.sleep(0.5)

    async def run(self) -> LoadStats:
        config = self.config
        schedule = {
            room.samu_id: arrival_times(config.shape, room.samu_id, config.duration_s, self.rng)
            for room in config.rooms
        }
        limits = httpx.Limits(
            max_connections=config.max_in_flight, max_keepalive_connections=config.max_in_flight
        )
        async with httpx.AsyncClient(base_url=config.url, timeout=config.timeout_s, limits=limits) as client:
            self._client = client
            self._t0 = time.perf_counter()
            ticker = asyncio.create_task(self._ticker())
            await asyncio.gather(*(self._log_in_room(room) for room in config.rooms))
            self._t0 = time.perf_counter()  # the schedule starts once the seats are staffed
            self.started_epoch = time.time()
            offers = [asyncio.create_task(self._offers(r, schedule[r.samu_id])) for r in config.rooms]
            pollers = [asyncio.create_task(self._poll(r)) for r in config.rooms if r.arm_tokens]
            await self._pause(config.duration_s)
            self.stopping.set()
            await asyncio.gather(*offers, *pollers)
            deadline = time.perf_counter() + config.drain_s
            while self.tasks and time.perf_counter() < deadline:
                await asyncio.wait(set(self.tasks), timeout=max(deadline - time.perf_counter(), 0.01))
            cut = list(self.tasks)
            for task in cut:
                task.cancel()
            await asyncio.gather(*cut, return_exceptions=True)
            await asyncio.gather(*(self._log_out(arm) for arm in self.arms.values()))
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
            if self.progress is not None:
                self.progress(self.stats, self.elapsed())
        return self.stats
