"""The ARM seat (agent) state machine: pure, time passed in, transitions return the new state and events.

logged out → available → presented → on call → after-call work → available; pause (with a reason) from
available; log out from available, paused or after-call work.

Missed presentations: when a presented call rings out, the agent goes back to `available` and its
`missed_presentations` counter grows; when it reaches `max_missed` (default 2, consecutive — the counter is reset
by answering a call, by resuming from a pause and by logging in), the agent is paused with reason `ABSENT`
instead, so the distribution stops ringing an empty seat. A presentation withdrawn because the caller hung up is
not counted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeAlias

from sisamu.calls.flux import Flux
from sisamu.domain.errors import TransitionRefused
from sisamu.domain.events import DomainEvent

__all__ = [
    "DEFAULT_AFTER_CALL_WORK_S",
    "DEFAULT_MAX_MISSED",
    "Agent",
    "AgentAfterCallWorkEnded",
    "AgentCallAnswered",
    "AgentCallPresented",
    "AgentCallReleased",
    "AgentEvent",
    "AgentLoggedIn",
    "AgentLoggedOut",
    "AgentPaused",
    "AgentPresentationMissed",
    "AgentPresentationWithdrawn",
    "AgentResumed",
    "AgentState",
    "PauseReason",
    "Skills",
    "after_call_work_due",
    "agent_answer",
    "agent_end_after_call_work",
    "agent_log_in",
    "agent_log_out",
    "agent_miss_presentation",
    "agent_pause",
    "agent_present",
    "agent_release",
    "agent_resume",
    "agent_withdraw_presentation",
    "can_take",
    "new_agent",
]

DEFAULT_AFTER_CALL_WORK_S = 30
DEFAULT_MAX_MISSED = 2


class AgentState(enum.StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    PAUSED = "paused"
    PRESENTED = "presented"
    ON_CALL = "on_call"
    AFTER_CALL_WORK = "after_call_work"


class PauseReason(enum.StrEnum):
    BREAK = "break"
    MEAL = "meal"
    TRAINING = "training"
    MEETING = "meeting"
    ADMIN = "admin"
    CALLBACK = "callback"
    TECHNICAL = "technical"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return _PAUSE_LABELS[self]


_PAUSE_LABELS = {
    PauseReason.BREAK: "Pause",
    PauseReason.MEAL: "Repas",
    PauseReason.TRAINING: "Formation",
    PauseReason.MEETING: "Réunion / transmissions",
    PauseReason.ADMIN: "Tâches administratives",
    PauseReason.CALLBACK: "Rappel des appels perdus",
    PauseReason.TECHNICAL: "Incident technique",
    PauseReason.ABSENT: "Absent (appels présentés sans réponse)",
}


@dataclass(frozen=True, slots=True)
class Skills:
    fluxes: frozenset[Flux] = frozenset({Flux.CENTRE_15})
    languages: frozenset[str] = frozenset({"fr"})  # ISO 639-1 codes


@dataclass(frozen=True, slots=True)
class Agent:
    agent_id: str
    samu_id: str
    skills: Skills
    state: AgentState
    since: datetime
    after_call_work_s: int = DEFAULT_AFTER_CALL_WORK_S
    call_id: str | None = None
    pause_reason: PauseReason | None = None
    missed_presentations: int = 0
    after_call_work_until: datetime | None = None


def can_take(agent: Agent, flux: Flux, language: str | None = None) -> bool:
    """Whether the agent's skills cover this line (and language, when one is required)."""
    return flux in agent.skills.fluxes and (language is None or language in agent.skills.languages)


@dataclass(frozen=True, slots=True)
class AgentEvent(DomainEvent):
    """What a transition did at a seat; the services record them (`uow.record`) for the bus's subscribers (a seat
    its ARM made available — logged in, resumed, ready early — gets a distribution pass)."""

    agent_id: str
    samu_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AgentLoggedIn(AgentEvent):
    pass


@dataclass(frozen=True, slots=True)
class AgentLoggedOut(AgentEvent):
    pass


@dataclass(frozen=True, slots=True)
class AgentPaused(AgentEvent):
    reason: PauseReason


@dataclass(frozen=True, slots=True)
class AgentResumed(AgentEvent):
    paused_s: float
    reason: PauseReason | None


@dataclass(frozen=True, slots=True)
class AgentCallPresented(AgentEvent):
    call_id: str


@dataclass(frozen=True, slots=True)
class AgentCallAnswered(AgentEvent):
    call_id: str


@dataclass(frozen=True, slots=True)
class AgentCallReleased(AgentEvent):
    call_id: str
    after_call_work_until: datetime | None  # None: straight back to available


@dataclass(frozen=True, slots=True)
class AgentAfterCallWorkEnded(AgentEvent):
    call_id: str | None
    early: bool  # the agent declared itself ready before the configured delay


@dataclass(frozen=True, slots=True)
class AgentPresentationMissed(AgentEvent):
    call_id: str
    missed_presentations: int


@dataclass(frozen=True, slots=True)
class AgentPresentationWithdrawn(AgentEvent):
    call_id: str


_Result: TypeAlias = tuple[Agent, list[AgentEvent]]


def _refuse(agent: Agent, action: str) -> TransitionRefused:
    return TransitionRefused(f"agent {agent.agent_id}: cannot {action} while {agent.state.value}")


def _check_time(agent: Agent, now: datetime) -> None:
    if now < agent.since:
        raise TransitionRefused(
            f"agent {agent.agent_id}: time goes backwards ({now.isoformat()} < {agent.since.isoformat()})"
        )


def _check_call(agent: Agent, call_id: str, action: str) -> None:
    if call_id != agent.call_id:
        raise TransitionRefused(
            f"agent {agent.agent_id}: cannot {action} call {call_id}, it holds {agent.call_id}"
        )


def new_agent(
    agent_id: str,
    samu_id: str,
    now: datetime,
    *,
    skills: Skills | None = None,
    after_call_work_s: int = DEFAULT_AFTER_CALL_WORK_S,
) -> Agent:
    """A seat known to the room, logged out."""
    if after_call_work_s < 0:
        raise ValueError(f"after_call_work_s must be >= 0, got {after_call_work_s}")
    return Agent(agent_id, samu_id, skills or Skills(), AgentState.LOGGED_OUT, now, after_call_work_s)


def agent_log_in(agent: Agent, now: datetime) -> _Result:
    _check_time(agent, now)
    if agent.state is not AgentState.LOGGED_OUT:
        raise _refuse(agent, "log in")
    new = replace(agent, state=AgentState.AVAILABLE, since=now, missed_presentations=0)
    return new, [AgentLoggedIn(agent.agent_id, agent.samu_id, now)]


def agent_log_out(agent: Agent, now: datetime) -> _Result:
    _check_time(agent, now)
    if agent.state not in {AgentState.AVAILABLE, AgentState.PAUSED, AgentState.AFTER_CALL_WORK}:
        raise _refuse(agent, "log out")
    new = replace(
        agent,
        state=AgentState.LOGGED_OUT,
        since=now,
        call_id=None,
        pause_reason=None,
        after_call_work_until=None,
    )
    return new, [AgentLoggedOut(agent.agent_id, agent.samu_id, now)]


def agent_pause(agent: Agent, reason: PauseReason, now: datetime) -> _Result:
    _check_time(agent, now)
    if agent.state is not AgentState.AVAILABLE:
        raise _refuse(agent, "pause")
    new = replace(agent, state=AgentState.PAUSED, since=now, pause_reason=reason)
    return new, [AgentPaused(agent.agent_id, agent.samu_id, now, reason)]


def agent_resume(agent: Agent, now: datetime) -> _Result:
    _check_time(agent, now)
    if agent.state is not AgentState.PAUSED:
        raise _refuse(agent, "resume")
    new = replace(agent, state=AgentState.AVAILABLE, since=now, pause_reason=None, missed_presentations=0)
    paused_s = (now - agent.since).total_seconds()
    return new, [AgentResumed(agent.agent_id, agent.samu_id, now, paused_s, agent.pause_reason)]


def agent_present(agent: Agent, call_id: str, flux: Flux, now: datetime) -> _Result:
    """A call rings at this seat; refused if the agent is not available or lacks the flux skill."""
    _check_time(agent, now)
    if agent.state is not AgentState.AVAILABLE:
        raise _refuse(agent, f"be presented call {call_id}")
    if not can_take(agent, flux):
        raise TransitionRefused(f"agent {agent.agent_id}: has no skill for flux {flux.value}")
    new = replace(agent, state=AgentState.PRESENTED, since=now, call_id=call_id)
    return new, [AgentCallPresented(agent.agent_id, agent.samu_id, now, call_id)]


def agent_answer(agent: Agent, call_id: str, now: datetime) -> _Result:
    _check_time(agent, now)
    if agent.state is not AgentState.PRESENTED:
        raise _refuse(agent, f"answer call {call_id}")
    _check_call(agent, call_id, "answer")
    new = replace(agent, state=AgentState.ON_CALL, since=now, missed_presentations=0)
    return new, [AgentCallAnswered(agent.agent_id, agent.samu_id, now, call_id)]


def agent_release(agent: Agent, call_id: str, now: datetime) -> _Result:
    """The agent's call ended or was transferred: after-call work, or available at once if configured to 0 s."""
    _check_time(agent, now)
    if agent.state is not AgentState.ON_CALL:
        raise _refuse(agent, f"release call {call_id}")
    _check_call(agent, call_id, "release")
    if agent.after_call_work_s == 0:
        new = replace(agent, state=AgentState.AVAILABLE, since=now, call_id=None)
        return new, [AgentCallReleased(agent.agent_id, agent.samu_id, now, call_id, None)]
    until = now + timedelta(seconds=agent.after_call_work_s)
    new = replace(agent, state=AgentState.AFTER_CALL_WORK, since=now, after_call_work_until=until)
    return new, [AgentCallReleased(agent.agent_id, agent.samu_id, now, call_id, until)]


def after_call_work_due(agent: Agent, now: datetime) -> bool:
    """Whether the configured after-call work delay has run out (the timer should end it)."""
    return (
        agent.state is AgentState.AFTER_CALL_WORK
        and agent.after_call_work_until is not None
        and now >= agent.after_call_work_until
    )


def agent_end_after_call_work(agent: Agent, now: datetime) -> _Result:
    """Back to available: by the timer when the delay is over, or early when the agent says it is ready."""
    _check_time(agent, now)
    if agent.state is not AgentState.AFTER_CALL_WORK:
        raise _refuse(agent, "end after-call work")
    early = not after_call_work_due(agent, now)
    new = replace(agent, state=AgentState.AVAILABLE, since=now, call_id=None, after_call_work_until=None)
    return new, [AgentAfterCallWorkEnded(agent.agent_id, agent.samu_id, now, agent.call_id, early)]


def agent_miss_presentation(
    agent: Agent, call_id: str, now: datetime, *, max_missed: int = DEFAULT_MAX_MISSED
) -> _Result:
    """The presented call rang out: back to available, or paused `ABSENT` after `max_missed` in a row."""
    _check_time(agent, now)
    if max_missed < 1:
        raise ValueError(f"max_missed must be >= 1, got {max_missed}")
    if agent.state is not AgentState.PRESENTED:
        raise _refuse(agent, f"miss call {call_id}")
    _check_call(agent, call_id, "miss")
    missed = agent.missed_presentations + 1
    events: list[AgentEvent] = [AgentPresentationMissed(agent.agent_id, agent.samu_id, now, call_id, missed)]
    if missed >= max_missed:
        new = replace(
            agent,
            state=AgentState.PAUSED,
            since=now,
            call_id=None,
            pause_reason=PauseReason.ABSENT,
            missed_presentations=missed,
        )
        events.append(AgentPaused(agent.agent_id, agent.samu_id, now, PauseReason.ABSENT))
        return new, events
    new = replace(agent, state=AgentState.AVAILABLE, since=now, call_id=None, missed_presentations=missed)
    return new, events


def agent_withdraw_presentation(agent: Agent, call_id: str, now: datetime) -> _Result:
    """The ringing call went away (caller hung up, taken elsewhere): back to available, nothing counted."""
    _check_time(agent, now)
    if agent.state is not AgentState.PRESENTED:
        raise _refuse(agent, f"withdraw call {call_id}")
    _check_call(agent, call_id, "withdraw")
    new = replace(agent, state=AgentState.AVAILABLE, since=now, call_id=None)
    return new, [AgentPresentationWithdrawn(agent.agent_id, agent.samu_id, now, call_id)]
