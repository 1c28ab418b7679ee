"""Discrete-event engine of the twin: a `heapq` event list, ARM and physician pools per room.

Every distribution decision goes through `sisamu.calls.distribution.policy` (`choose_agent` when a call arrives or its
overflow timer fires, `choose_call` when an ARM becomes free), the same functions the live platform calls.
Simulation time is seconds since Monday 00:00 on the simulation clock; each room's local hour is the simulation
hour plus its offset (`utc_offsets_h`). ARM and physician head-counts change on the hour: extra staff start at
once, staff leaving finish their current call first.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sisamu.calls.distribution.policy import (
    Agent,
    AgentState,
    Assign,
    OverflowRules,
    Priority,
    WaitingCall,
    choose_agent,
    choose_call,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sisamu.sim.arrivals import CallSample

__all__ = ["Outcome", "TwinSetup", "run"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
FLUX = "15"
SKILLS = frozenset({FLUX})
_END, _ABANDON, _OVERFLOW, _SHIFT, _PHYS_END = range(5)


@dataclass(frozen=True, slots=True)
class TwinSetup:
    """What one run needs: rooms, sampled calls, head-counts per room and hour (the last hour is kept after)."""

    rooms: tuple[str, ...]
    calls: CallSample
    arms: IntArray  # rooms × hours
    rules: OverflowRules = field(default_factory=OverflowRules)
    physicians: IntArray | None = None  # rooms × hours; None: no physician stage
    utc_offsets_h: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Per call: wait (to answer, or to hang-up), answered flag, helping room (−1: own room or unanswered)."""

    setup: TwinSetup
    wait_s: FloatArray
    answered: npt.NDArray[np.bool_]
    helped_by: IntArray
    physician_wait_s: FloatArray  # NaN when the call did not reach a physician
    busy_s: FloatArray  # ARM talk time per room (by the room of the ARM)
    staffed_s: FloatArray  # ARM seconds on duty per room
    events: int
    wall_s: float


class _Room:
    __slots__ = ("free_phys", "index", "leaving", "leaving_phys", "next_id", "on_duty", "phys", "phys_queue")

    def __init__(self, index: int) -> None:
        self.index = index
        self.on_duty = 0  # ARMs counted in the head-count (idle or busy, not leaving)
        self.leaving = 0  # busy ARMs who go home when their call ends
        self.next_id = 0
        self.phys = 0
        self.free_phys = 0
        self.leaving_phys = 0
        self.phys_queue: tuple[deque[tuple[int, float]], deque[tuple[int, float]]] = (deque(), deque())


def run(setup: TwinSetup, progress: Callable[[int], None] | None = None) -> Outcome:  # noqa: C901, PLR0912, PLR0915 - one event loop, kept in one frame for speed
    started = time.perf_counter()
    calls, rules, rooms = setup.calls, setup.rules, setup.rooms
    n = len(calls)
    n_rooms, hours = setup.arms.shape
    arr_t = calls.time_s.tolist()
    arr_room = calls.room.tolist()
    handling = calls.handling_s.tolist()
    patience = calls.patience_s.tolist()
    vital = calls.vital.tolist()
    phys_time = calls.physician_s.tolist()
    offsets = [setup.utc_offsets_h.get(r, 0) for r in rooms]
    offset_by_samu = dict(zip(rooms, offsets, strict=True))
    index_of = {r: i for i, r in enumerate(rooms)}

    def hour_of(samu: str, now: float) -> int:
        return int(now // 3600.0 + offset_by_samu[samu]) % 24

    wait = [math.nan] * n
    answered = [False] * n
    helped = [-1] * n
    phys_wait = [math.nan] * n
    busy = [0.0] * n_rooms
    staffed = [0.0] * n_rooms
    state = [_Room(i) for i in range(n_rooms)]
    idle: dict[str, list[Agent]] = {r: [] for r in rooms}
    idle_by_id: dict[str, Agent] = {}
    queues: dict[str, deque[WaitingCall]] = {r: deque() for r in rooms}
    waiting: dict[str, WaitingCall] = {}
    uv_waiting = [0] * n_rooms
    heap: list[tuple[float, int, int, int]] = []
    seq = 0
    events = 0

    def delays_of(samu: str) -> set[float]:
        delays = set()
        agreement = rules.agreements.get(samu)
        if agreement is not None:
            delays.add(agreement.wait_threshold_s)
        if rules.national_pooling:
            delays.add(rules.pooling_wait_s)
        return delays

    overflow_delays = [sorted(d for d in delays_of(r) if d > 0) for r in rooms]
    # Rooms whose calls may overflow on arrival (queue-length trigger, or a zero waiting threshold).
    check_on_arrival = {
        r: (rules.agreements[r].queue_threshold is not None if r in rules.agreements else False)
        or any(d <= 0 for d in delays_of(r))
        for r in rooms
    }
    phys_counts = setup.physicians

    def remove_waiting(call: WaitingCall, room: int) -> None:
        queue = queues[call.samu]
        if queue[0] is call:
            queue.popleft()
        else:
            queue.remove(call)
        del waiting[call.call_id]
        if call.priority is Priority.UV:
            uv_waiting[room] -= 1

    def start(decision: Assign, now: float) -> None:
        nonlocal seq
        agent = idle_by_id.pop(decision.agent_id)
        idle[agent.samu].remove(agent)
        i = int(decision.call_id)
        wait[i] = now - arr_t[i]
        answered[i] = True
        agent_room = index_of[agent.samu]
        if decision.overflowed_from is not None:
            helped[i] = agent_room
        busy[agent_room] += handling[i]
        seq += 1
        heapq.heappush(heap, (now + handling[i], seq, _END, i * n_rooms + agent_room))
        busy_agent[i] = agent

    busy_agent: dict[int, Agent] = {}

    def free_agent(agent: Agent, now: float) -> None:
        fresh = Agent(agent.agent_id, agent.samu, AgentState.AVAILABLE, SKILLS, now)
        decision = choose_call(fresh, queues, rules, now, hour_of=hour_of)
        idle[agent.samu].append(fresh)
        idle_by_id[fresh.agent_id] = fresh
        if decision is not None:
            call = waiting[decision.call_id]
            remove_waiting(call, index_of[call.samu])
            start(decision, now)

    def physician_start(room: _Room, i: int, now: float, since: float) -> None:
        nonlocal seq
        room.free_phys -= 1
        phys_wait[i] = now - since
        seq += 1
        heapq.heappush(heap, (now + phys_time[i], seq, _PHYS_END, room.index))

    def shift(hour: int) -> None:
        if progress is not None:
            progress(hour)
        col = min(hour, hours - 1)
        now = hour * 3600.0
        for r, room in enumerate(state):
            samu = rooms[r]
            target = int(setup.arms[r, col])
            staffed[r] += target * 3600.0
            if target > room.on_duty:
                back = min(room.leaving, target - room.on_duty)
                room.leaving -= back
                room.on_duty += back
                while room.on_duty < target:
                    room.on_duty += 1
                    room.next_id += 1
                    free_agent(Agent(f"{samu}#{room.next_id}", samu, AgentState.AVAILABLE, SKILLS, now), now)
            while room.on_duty > target:
                room.on_duty -= 1
                if idle[samu]:
                    gone = idle[samu].pop()
                    del idle_by_id[gone.agent_id]
                else:
                    room.leaving += 1
            if phys_counts is not None:
                want = int(phys_counts[r, col])
                delta = want - room.phys
                room.phys = want
                if delta >= 0:
                    back = min(room.leaving_phys, delta)
                    room.leaving_phys -= back
                    room.free_phys += delta - back
                else:
                    drop = min(room.free_phys, -delta)
                    room.free_phys -= drop
                    room.leaving_phys += -delta - drop
                _physician_next(room, now)

    def _physician_next(room: _Room, now: float) -> None:
        for queue in room.phys_queue:
            while queue and room.free_phys > 0:
                i, since = queue.popleft()
                physician_start(room, i, now, since)

    for hour in range(hours):
        seq += 1
        heapq.heappush(heap, (hour * 3600.0, seq, _SHIFT, hour))

    uv, px = Priority.UV, Priority.PX
    ai = 0
    while True:
        if ai < n and (not heap or arr_t[ai] < heap[0][0]):
            i = ai
            ai += 1
            now = arr_t[i]
            r = arr_room[i]
            samu = rooms[r]
            is_uv = vital[i]
            call = WaitingCall(str(i), samu, FLUX, uv if is_uv else px, now)
            queue = queues[samu]
            if is_uv:
                queue.insert(uv_waiting[r], call)
                uv_waiting[r] += 1
            else:
                queue.append(call)
            waiting[call.call_id] = call
            events += 1
            if idle[samu] or check_on_arrival[samu]:
                # Own idle ARMs: the queue was empty, this call goes first. Otherwise (overflow on arrival)
                # the head of the queue is offered to partners before the newcomer.
                head = call if idle[samu] else queue[0]
                decision = choose_agent(head, idle, rules, now, queues=queues, hour_of=hour_of)
                if decision is not None:
                    remove_waiting(head, r)
                    start(decision, now)
                    if head is call:
                        continue
            p = patience[i]
            if p < math.inf:
                seq += 1
                heapq.heappush(heap, (now + p, seq, _ABANDON, i))
            for delay in overflow_delays[r]:
                if delay < p:
                    seq += 1
                    heapq.heappush(heap, (now + delay, seq, _OVERFLOW, i))
            continue
        if not heap:
            break
        now, _, kind, payload = heapq.heappop(heap)
        events += 1
        if kind == _END:
            i, agent_room = divmod(payload, n_rooms)
            agent = busy_agent.pop(i)
            room = state[agent_room]
            if phys_counts is not None and phys_time[i] > 0.0:
                home = state[arr_room[i]]
                if home.free_phys > 0:
                    physician_start(home, i, now, now)
                else:
                    home.phys_queue[0 if vital[i] else 1].append((i, now))
            if room.leaving > 0:
                room.leaving -= 1
            else:
                free_agent(agent, now)
        elif kind in (_ABANDON, _OVERFLOW):
            call_or_none = waiting.get(str(payload))
            if call_or_none is None:
                continue
            r = arr_room[payload]
            if kind == _ABANDON:
                remove_waiting(call_or_none, r)
                wait[payload] = patience[payload]
            else:
                decision = choose_agent(call_or_none, idle, rules, now, queues=queues, hour_of=hour_of)
                if decision is not None:
                    remove_waiting(call_or_none, r)
                    start(decision, now)
        elif kind == _SHIFT:
            shift(payload)
        else:
            room = state[payload]
            if room.leaving_phys > 0:
                room.leaving_phys -= 1
            else:
                room.free_phys += 1
                _physician_next(room, now)
    return Outcome(
        setup=setup,
        wait_s=np.asarray(wait, dtype=float),
        answered=np.asarray(answered, dtype=bool),
        helped_by=np.asarray(helped, dtype=np.int64),
        physician_wait_s=np.asarray(phys_wait, dtype=float),
        busy_s=np.asarray(busy, dtype=float),
        staffed_s=np.asarray(staffed, dtype=float),
        events=events,
        wall_s=time.perf_counter() - started,
    )
