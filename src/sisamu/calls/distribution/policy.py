"""Call distribution and overflow policy: pure functions shared by the live platform and the digital twin.

Time is a float number of seconds on one monotonic axis, passed in by the caller: POSIX seconds (UTC) in
the live platform, seconds since the start of the simulation in the twin. `arrived_at`, `idle_since` and `now`
must use the same axis. Agreement hours are local hours of the overflowing SAMU; `hour_of(samu, now)` turns
`now` into that local hour (default `utc_hour`; the live platform passes `zoned_hour(...)` built from each
room's timezone, the twin passes its own local clock).

Rules, in order:

1. Calls are served by priority (`UV` vital before `Px`), then arrival time, then id.
2. A call goes to the longest-idle *available* agent of its own SAMU who has the call's flux (and language, if
   one is required) in their skills.
3. Otherwise, if the call's SAMU has an overflow agreement that is valid at this local hour and the call has
   waited at least `wait_threshold_s` (or the SAMU's queue holds at least `queue_threshold` calls), the
   partners are tried in the agreement's order; in each partner the longest-idle eligible agent is taken, but
   only an agent for whom no call of the partner's own queue is eligible (a partner serves its own callers
   first).
4. With national pooling on, after the partners, every other SAMU is tried the same way (in order of their
   longest-idle eligible agent), as soon as the call has waited `pooling_wait_s`.

A freed agent (`choose_call`) takes the first eligible call of its own queue; if none, the first call
(priority, arrival, id) among the other SAMUs' queues that rule 3 or 4 would route to the agent's SAMU.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sisamu.calls.overflow.model import HourRange, OverflowAgreement, OverflowRules

__all__ = [
    "Agent",
    "AgentState",
    "Assign",
    "HourFn",
    "HourRange",
    "OverflowAgreement",
    "OverflowRules",
    "Priority",
    "Snapshot",
    "WaitingCall",
    "can_take",
    "choose_agent",
    "choose_call",
    "distribute",
    "overflow_targets",
    "utc_hour",
    "zoned_hour",
]


class Priority(enum.StrEnum):
    """Distribution priority signal: `UV` (urgence vitale) before `Px` (every other call)."""

    UV = "UV"
    PX = "Px"


_RANK = {Priority.UV: 0, Priority.PX: 1}


class AgentState(enum.StrEnum):
    AVAILABLE = "available"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class WaitingCall:
    call_id: str
    samu: str
    flux: str
    priority: Priority
    arrived_at: float
    language: str | None = None

    @property
    def order(self) -> tuple[int, float, str]:
        return (_RANK[self.priority], self.arrived_at, self.call_id)


@dataclass(frozen=True, slots=True)
class Agent:
    agent_id: str
    samu: str
    state: AgentState
    skills: frozenset[str]
    idle_since: float


@dataclass(frozen=True, slots=True)
class Assign:
    call_id: str
    agent_id: str
    overflowed_from: str | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    calls: tuple[WaitingCall, ...]
    agents: tuple[Agent, ...]
    rules: OverflowRules = field(default_factory=OverflowRules)


HourFn = Callable[[str, float], int]


def utc_hour(_samu: str, now: float) -> int:
    """Hour of day of `now`, read as seconds since a midnight (POSIX UTC, or the twin's local clock)."""
    return int(now // 3600) % 24


def zoned_hour(timezones: Mapping[str, str], default: str = "Europe/Paris") -> HourFn:
    """An `hour_of` for POSIX seconds, in each SAMU's own timezone (IANA name)."""
    zones = {samu: ZoneInfo(tz) for samu, tz in timezones.items()}
    fallback = ZoneInfo(default)

    def hour_of(samu: str, now: float) -> int:
        return datetime.fromtimestamp(now, UTC).astimezone(zones.get(samu, fallback)).hour

    return hour_of


def can_take(agent: Agent, call: WaitingCall) -> bool:
    """The agent is available and has the call's flux and (if required) language among their skills."""
    return (
        agent.state is AgentState.AVAILABLE
        and call.flux in agent.skills
        and (call.language is None or call.language in agent.skills)
    )


def _longest_idle(call: WaitingCall, agents: Iterable[Agent]) -> Agent | None:
    best: Agent | None = None
    for agent in agents:
        if can_take(agent, call) and (
            best is None or (agent.idle_since, agent.agent_id) < (best.idle_since, best.agent_id)
        ):
            best = agent
    return best


def overflow_targets(
    call: WaitingCall,
    queue_length: int,
    rules: OverflowRules,
    now: float,
    hour_of: HourFn = utc_hour,
) -> tuple[tuple[str, ...], bool]:
    """Partners the call may overflow to now, in order, and whether national pooling also applies."""
    waited = now - call.arrived_at
    partners: tuple[str, ...] = ()
    agreement = rules.agreements.get(call.samu)
    if agreement is not None and agreement.valid_at(hour_of(call.samu, now)):
        by_wait = waited >= agreement.wait_threshold_s
        by_queue = agreement.queue_threshold is not None and queue_length >= agreement.queue_threshold
        if by_wait or by_queue:
            partners = agreement.partners
    pooled = rules.national_pooling and waited >= rules.pooling_wait_s
    return partners, pooled


def _has_own_work(agent: Agent, queues: Mapping[str, Sequence[WaitingCall]] | None) -> bool:
    if queues is None:
        return False
    return any(can_take(agent, c) for c in queues.get(agent.samu, ()))


def choose_agent(
    call: WaitingCall,
    agents_by_samu: Mapping[str, Sequence[Agent]],
    rules: OverflowRules,
    now: float,
    *,
    queues: Mapping[str, Sequence[WaitingCall]] | None = None,
    hour_of: HourFn = utc_hour,
) -> Assign | None:
    """Fast path for one call (new, or its overflow timer fired): the agent to take it, or None (it waits).

    `agents_by_samu` may hold only the available agents. `queues` (waiting calls per SAMU in distribution
    order, the call itself included) gives the queue length for the `queue_threshold` trigger and lets the rule
    "a partner serves its own callers first" be checked; without it both are off (queues taken as empty).
    """
    own = _longest_idle(call, agents_by_samu.get(call.samu, ()))
    if own is not None:
        return Assign(call.call_id, own.agent_id, None)
    queue_length = len(queues.get(call.samu, ())) if queues is not None else 0
    partners, pooled = overflow_targets(call, queue_length, rules, now, hour_of)
    tried = {call.samu}
    for partner in partners:
        if partner in tried:
            continue
        tried.add(partner)
        free = [a for a in agents_by_samu.get(partner, ()) if not _has_own_work(a, queues)]
        agent = _longest_idle(call, free)
        if agent is not None:
            return Assign(call.call_id, agent.agent_id, call.samu)
    if pooled:
        best: Agent | None = None
        for samu, agents in agents_by_samu.items():
            if samu in tried:
                continue
            agent = _longest_idle(call, (a for a in agents if not _has_own_work(a, queues)))
            if agent is not None and (
                best is None or (agent.idle_since, agent.agent_id) < (best.idle_since, best.agent_id)
            ):
                best = agent
        if best is not None:
            return Assign(call.call_id, best.agent_id, call.samu)
    return None


def _first_eligible(
    agent: Agent,
    queue: Sequence[WaitingCall],
    rules: OverflowRules,
    now: float,
    hour_of: HourFn,
) -> WaitingCall | None:
    """First call of another SAMU's queue (in distribution order) that may overflow to `agent`'s SAMU now."""
    blocked_rank = -1
    for call in queue:
        rank = _RANK[call.priority]
        if rank == blocked_rank or not can_take(agent, call):
            continue
        partners, pooled = overflow_targets(call, len(queue), rules, now, hour_of)
        if agent.samu in partners or pooled:
            return call
        blocked_rank = rank  # later calls of this rank arrived later: not triggered either
    return None


def choose_call(
    agent: Agent,
    queues: Mapping[str, Sequence[WaitingCall]],
    rules: OverflowRules,
    now: float,
    *,
    hour_of: HourFn = utc_hour,
) -> Assign | None:
    """Fast path for one agent who became available: the call to take, or None (stay idle).

    Each queue in `queues` must be in distribution order (priority, arrival, id); see `WaitingCall.order`.
    """
    if agent.state is not AgentState.AVAILABLE:
        return None
    for call in queues.get(agent.samu, ()):
        if can_take(agent, call):
            return Assign(call.call_id, agent.agent_id, None)
    sources: Iterable[str] = queues if rules.national_pooling else rules.helped_by.get(agent.samu, ())
    best: WaitingCall | None = None
    for samu in sources:
        queue = queues.get(samu, ())
        if samu == agent.samu or not queue:
            continue
        found = _first_eligible(agent, queue, rules, now, hour_of)
        if found is not None and (best is None or found.order < best.order):
            best = found
    if best is None:
        return None
    return Assign(best.call_id, agent.agent_id, best.samu)


def distribute(snapshot: Snapshot, now: float, *, hour_of: HourFn = utc_hour) -> list[Assign]:
    """All assignments for a snapshot: own SAMU first for every call, then overflow, each in priority order.

    No call and no agent appears twice; only available agents are used.
    """
    calls = sorted(snapshot.calls, key=lambda c: c.order)
    queues: dict[str, list[WaitingCall]] = {}
    for call in calls:
        queues.setdefault(call.samu, []).append(call)
    agents: dict[str, list[Agent]] = {}
    for agent in snapshot.agents:
        if agent.state is AgentState.AVAILABLE:
            agents.setdefault(agent.samu, []).append(agent)
    by_id = {a.agent_id: a for a in snapshot.agents}
    decisions: list[Assign] = []
    no_rules = OverflowRules()

    taken: set[str] = set()

    def take(decision: Assign, call: WaitingCall) -> None:
        decisions.append(decision)
        taken.add(call.call_id)
        queues[call.samu].remove(call)
        agent = by_id[decision.agent_id]
        agents[agent.samu].remove(agent)

    for rules in (no_rules, snapshot.rules):
        for call in calls:
            if call.call_id in taken:
                continue
            decision = choose_agent(call, agents, rules, now, queues=queues, hour_of=hour_of)
            if decision is not None:
                take(decision, call)
    return decisions
